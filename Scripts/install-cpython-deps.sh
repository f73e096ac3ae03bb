#!/usr/bin/env bash
# Installs what CPython 3.11 and 3.13 need to build their optional modules (ssl, zlib, ctypes,
# sqlite3, bz2, lzma, readline, curses, dbm, uuid; tkinter is left out), from Debian's apt
# archive. Debian 12 has no libmpdec-dev: 3.13's _decimal builds its bundled copy
# (configure --with-system-libmpdec=no).
# Idempotent. Usage: Scripts/install-cpython-deps.sh
set -euo pipefail
"$(dirname "$0")/apt-install.sh" make pkg-config libssl-dev zlib1g-dev libffi-dev libsqlite3-dev libbz2-dev \
  liblzma-dev libreadline-dev libncurses-dev libgdbm-dev libgdbm-compat-dev uuid-dev libexpat1-dev time
echo "cpython build dependencies: installed"
