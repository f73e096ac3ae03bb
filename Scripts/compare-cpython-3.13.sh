#!/usr/bin/env bash
# CPython 3.13 as distributions build it, head to head: CPython's own
#   ./configure --enable-optimizations --with-lto=thin --enable-bolt --enable-shared
#   make && make install DESTDIR=...
# against `temper run Profiles/cpython-3.13.toml` (PGO + ThinLTO + BOLT selection + install).
# Same source, same clang / llvm-profdata / llvm-ar / llvm-bolt / merge-fdata, passed explicitly.
#
# Records: wall and CPU time of each whole pipeline (install included), python and libpython
# sizes, a smoke `-m test` of each installed python, the deterministic instruction count of each
# benchmark's body (pyperformance's own scripts run in-process a fixed number of loops under
# valgrind; geometric mean of the ratios: the figure to gate on), pyperformance over ROUNDS
# interleaved rounds (the pythons' order changes each round) with a 95% interval, and that a
# failing training shard costs only that shard.
#
# Usage: Scripts/compare-cpython-3.13.sh [LLVM_MAJOR]          (default 22)
# Env:   ONLY=  (empty: everything, about 90 minutes on 2 cores) or one phase:
#          baseline      CPython's own build + install          (~30 min)
#          temper        temper's pipeline with its install stage (~25 min)
#          pipelines     both of the above
#          smoke | instructions | pyperformance | shard          one measurement on existing trees
#          summary       print the result from what is recorded
#        (shard reruns temper's train with one shard failing, then resumed: its profile data
#        differ, so rerun ONLY=temper before measuring again; everything runs it last)
#        BENCHMARKS=a,b,...  (default: 12 below)   ROUNDS=3   LOOPS=2 (instruction-count loops)
#        PYPERF_FAST=1 (default) adds --fast
# Results: .temper/compare-3.13/ (summary.txt). Each phase replaces only its own records.
set -euo pipefail
# Restore SIGINT/SIGQUIT's default dispositions (see default-signals.sh).
. "$(dirname "$0")/default-signals.sh"
major="${1:-22}"
root="$(cd "$(dirname "$0")/.." && pwd)"
llvm="/usr/lib/llvm-$major/bin"
src="$root/Profiles/sources/python3.13"
profile="$root/Profiles/cpython-3.13.toml"
out="$root/.temper/compare-3.13"
only="${ONLY:-}"
phases="baseline temper smoke instructions pyperformance shard summary"
case "$only" in
  "") ;;
  pipelines) phases="baseline temper summary" ;;
  baseline|temper|smoke|instructions|pyperformance|shard) phases="$only summary" ;;
  summary) phases="summary" ;;
  *) echo "error: ONLY=$only: choose baseline, temper, pipelines, smoke, instructions, pyperformance, shard or summary" >&2; exit 2 ;;
esac
benchmarks="${BENCHMARKS:-chaos,deltablue,float,go,hexiom,json_dumps,nbody,nqueens,raytrace,richards,spectral_norm,unpack_sequence}"
fast=(); [ "${PYPERF_FAST:-1}" = 1 ] && fast=(--fast)
rounds="${ROUNDS:-3}"
loops="${LOOPS:-2}"
jobs="$(nproc)"
has() { [[ " $phases " == *" $1 "* ]]; }

if has baseline || has temper; then
  "$root/Scripts/install-toolchain.sh" "$major"
  "$root/Scripts/install-cpython-deps.sh"
  "$root/Scripts/fetch-source.sh" python3.13 trixie
fi
command -v /usr/bin/time >/dev/null || { echo "error: GNU time is needed (apt-get install time)" >&2; exit 2; }
[ ! -e "$src/pyconfig.h" ] || { echo "error: $src has an in-tree build; out-of-tree builds need a clean source" >&2; exit 2; }
mkdir -p "$out"
touch "$out/times"
swift build -c release --package-path "$root" >/dev/null
temper="$(swift build -c release --package-path "$root" --show-bin-path)/temper"

# The installed trees (prefix /usr/local inside each DESTDIR) and their pythons.
cpython_prefix="$out/cpython-install/usr/local"
temper_prefix="$out/temper/out/install/usr/local"
declare -A prefix=([cpython-bolt]="$cpython_prefix" [temper]="$temper_prefix")
names=(cpython-bolt temper)

# timed LABEL CMD...: GNU time into $out/times.
. "$(dirname "$0")/timed.sh"
# Runs an installed python with its own libpython (CPython's install has no RUNPATH).
run_python() {
  local name="$1"; shift
  LD_LIBRARY_PATH="${prefix[$name]}/lib" "${prefix[$name]}/bin/python3.13" "$@"
}

if has baseline; then
  echo "== (a) CPython's own: --enable-optimizations --with-lto=thin --enable-bolt --enable-shared, make, make install"
  rm -rf "$out/cpython" "$out/cpython-install"; mkdir -p "$out/cpython"
  (cd "$out/cpython" &&
    timed a-configure "$src/configure" --enable-optimizations --with-lto=thin --enable-bolt --enable-shared \
      --with-system-libmpdec=no \
      CC="$llvm/clang" CXX="$llvm/clang++" LLVM_PROFDATA="$llvm/llvm-profdata" LLVM_AR="$llvm/llvm-ar" \
      AR="$llvm/llvm-ar" RANLIB="$llvm/llvm-ranlib" LLVM_BOLT="$llvm/llvm-bolt" MERGE_FDATA="$llvm/merge-fdata" \
      > "$out/cpython.log" 2>&1 &&
    timed a-make make -j"$jobs" >> "$out/cpython.log" 2>&1 &&
    timed a-install make install DESTDIR="$out/cpython-install" >> "$out/cpython.log" 2>&1) \
    || { echo "error: CPython's own build failed, see $out/cpython.log" >&2; exit 1; }
fi

if has temper; then
  echo "== (b) temper run Profiles/cpython-3.13.toml (PGO + ThinLTO + BOLT selection + install)"
  timed b-temper "$temper" run "$profile" --fresh --workdir "$out/temper" --llvm-bin "$llvm" > "$out/temper.log" 2>&1 \
    || { echo "error: temper failed, see $out/temper.log" >&2; exit 1; }
  cp "$out/temper/report.json" "$out/temper-report.json"
fi

if has smoke; then
  echo "== smoke: python -m test on each installed python"
  # Not test_venv: test_zippath_from_non_installed_posix copies python3.13 alone and expects
  # libpython at sysconfig's LIBDIR (/usr/local/lib), so it fails for any DESTDIR tree of a
  # shared build, CPython's own included (measured here; the install stage makes a venv instead).
  for name in "${names[@]}"; do
    run_python "$name" -m test -q test_sys test_json test_ssl test_sqlite3 test_ctypes test_zlib test_decimal \
      > "$out/smoke-$name.log" 2>&1 && echo "ok" > "$out/smoke-$name.result" || echo "FAILED" > "$out/smoke-$name.result"
    echo "  $name: $(cat "$out/smoke-$name.result") ($out/smoke-$name.log)"
  done
  # The install checks of temper's profile on both trees: is sysconfig free of the build's
  # PGO/LTO flags and of its build directory? (Informational for CPython's own install.)
  declare -A builddir=([cpython-bolt]="$out/cpython" [temper]="$out/temper")
  for name in "${names[@]}"; do
    run_python "$name" "$root/Profiles/cpython/check-install.py" "${builddir[$name]}" > "$out/sysconfig-$name.log" 2>&1 \
      && echo "clean" > "$out/sysconfig-$name.result" \
      || echo "$(grep -c "sysconfig" "$out/sysconfig-$name.log") findings" > "$out/sysconfig-$name.result"
    echo "  $name sysconfig: $(cat "$out/sysconfig-$name.result") ($out/sysconfig-$name.log)"
  done
fi

runner="$out/runner"
if has instructions || has pyperformance; then
  [ -x "$runner/bin/pyperformance" ] || { python3 -m venv "$runner" && "$runner/bin/pip" install -q pyperformance; }
fi

if has instructions; then
  echo "== instructions: each benchmark's body, $loops loops in-process, under callgrind"
  command -v valgrind >/dev/null || { echo "error: valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
  bench_root="$("$runner/bin/python" -c 'import pyperformance, os; print(os.path.join(os.path.dirname(pyperformance.__file__), "data-files", "benchmarks"))')"
  for name in "${names[@]}"; do
    # valgrind 3.19 cannot read clang 22's DWARF 5: count on a copy with the debug info stripped
    # (no executed instruction changes).
    copy="$out/stripped/$name"
    rm -rf "$copy"; mkdir -p "$copy"; cp -a "${prefix[$name]}/." "$copy/"
    find "$copy" -type f \( -name '*.so' -o -name '*.so.*' -o -path '*/bin/python3.13' \) \
      -exec "$llvm/llvm-objcopy" --strip-debug {} \;
  done
  rm -f "$out"/instructions-*.txt
  for bench in ${benchmarks//,/ }; do
    for name in "${names[@]}"; do
      copy="$out/stripped/$name"
      log="$out/callgrind-$name-$bench.log"
      PYTHONHASHSEED=0 LD_LIBRARY_PATH="$copy/lib" valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$copy/bin/python3.13" "$root/Scripts/bench-body.py" "$bench_root/bm_$bench" "$loops" > "$log" 2>&1 &
    done
    wait
    for name in "${names[@]}"; do
      count="$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/callgrind-$name-$bench.log")"
      [ -n "$count" ] || { echo "error: no instruction count for $bench on $name, see $out/callgrind-$name-$bench.log" >&2; exit 1; }
      echo "$bench $count" >> "$out/instructions-$name.txt"
    done
    echo "  $bench: $(tail -1 "$out/instructions-cpython-bolt.txt" | cut -d' ' -f2) vs $(tail -1 "$out/instructions-temper.txt" | cut -d' ' -f2)"
  done
fi

if has pyperformance; then
  echo "== pyperformance ($benchmarks), $rounds interleaved rounds"
  rm -f "$out"/pyperf-*.json
  for ((round = 1; round <= rounds; round++)); do
    order=("${names[@]}")
    ((round % 2 == 0)) && order=("${names[1]}" "${names[0]}")
    for name in "${order[@]}"; do
      echo "  round $round: $name"
      (cd "$out" && LD_LIBRARY_PATH="${prefix[$name]}/lib" "$runner/bin/pyperformance" run "${fast[@]}" \
        --inherit-environ LD_LIBRARY_PATH --python="${prefix[$name]}/bin/python3.13" -b "$benchmarks" \
        -o "$out/pyperf-$name-$round.json" > "$out/pyperf-$name-$round.log" 2>&1) \
        || { echo "error: pyperformance failed, see $out/pyperf-$name-$round.log" >&2; exit 1; }
    done
  done
fi

if has shard; then
  echo "== one failing training shard (test_tabnanny aborts), then a resumed run"
  "$root/Scripts/failing-shard.sh" "$temper" "$profile" "$out/temper" "$llvm" "$out"
fi

if has summary; then
  echo "== result"
  python="$(command -v python3)"; [ -x "$runner/bin/python" ] && python="$runner/bin/python"
  "$python" "$root/Scripts/compare_cpython_summary.py" "$out" "$rounds" | tee "$out/summary.txt"
fi
