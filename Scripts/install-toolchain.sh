#!/usr/bin/env bash
# Installs one coherent LLVM toolchain (compiler, linker, profdata, ar, BOLT, profile runtime)
# from Debian's apt archive. Idempotent: packages already present are left alone.
# Usage: Scripts/install-toolchain.sh [LLVM_MAJOR]   (default 22)
set -euo pipefail
major="${1:-22}"
case "$major" in (*[!0-9]*|'') echo "usage: $0 [LLVM major, e.g. 22]" >&2; exit 2;; esac
packages=("clang-$major" "lld-$major" "llvm-$major" "bolt-$major" "libclang-rt-$major-dev" valgrind)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "toolchain: LLVM $major already installed in /usr/lib/llvm-$major/bin"
  exit 0
fi
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "toolchain: LLVM $major installed in /usr/lib/llvm-$major/bin"
