#!/usr/bin/env bash
# Installs what CPython 3.11 needs to build its optional modules (ssl, zlib, ctypes, sqlite3,
# bz2, lzma, readline, curses, dbm, uuid, tkinter is left out), from Debian's apt archive.
# Idempotent. Usage: Scripts/install-cpython-deps.sh
set -euo pipefail
packages=(make pkg-config libssl-dev zlib1g-dev libffi-dev libsqlite3-dev libbz2-dev liblzma-dev
          libreadline-dev libncurses-dev libgdbm-dev libgdbm-compat-dev uuid-dev libexpat1-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "cpython build dependencies: already installed"; exit 0; }
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "cpython build dependencies: installed ${missing[*]}"
