#!/usr/bin/env bash
# Installs one coherent LLVM toolchain (compiler, linker, profdata, ar, BOLT, profile runtime)
# from Debian's apt archive, plus valgrind for instruction counts. Idempotent.
# Usage: Scripts/install-toolchain.sh [LLVM_MAJOR]   (default 22)
set -euo pipefail
major="${1:-22}"
case "$major" in (*[!0-9]*|'') echo "usage: $0 [LLVM major, e.g. 22]" >&2; exit 2;; esac
"$(dirname "$0")/apt-install.sh" "clang-$major" "lld-$major" "llvm-$major" "bolt-$major" "libclang-rt-$major-dev" valgrind
echo "toolchain: LLVM $major in /usr/lib/llvm-$major/bin"
