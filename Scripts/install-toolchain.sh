#!/usr/bin/env bash
# Installs one coherent LLVM toolchain (compiler, linker, profdata, ar, BOLT, profile runtime)
# from Debian's apt archive, plus what the demo and the tests use beside it: valgrind
# (instruction counts), make (the demo's build), gcc (the GCC family), perf (BOLT's sampling
# mode), GNU time (bench's CPU and peak RSS), and ccache with redis-server (the shared compile
# cache: `--launcher ccache`, remote storage in Redis). Idempotent.
# Usage: Scripts/install-toolchain.sh [LLVM_MAJOR]   (default 22)
set -euo pipefail
major="${1:-22}"
case "$major" in (*[!0-9]*|'') echo "usage: $0 [LLVM major, e.g. 22]" >&2; exit 2;; esac
"$(dirname "$0")/apt-install.sh" "clang-$major" "lld-$major" "llvm-$major" "bolt-$major" "libclang-rt-$major-dev" valgrind make gcc linux-perf time ccache redis-server
echo "toolchain: LLVM $major in /usr/lib/llvm-$major/bin"
