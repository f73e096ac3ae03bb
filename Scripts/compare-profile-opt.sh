#!/usr/bin/env bash
# CPython head to head: `make profile-opt` against temper, on the same source and the same
# clang / llvm-profdata / llvm-ar (given to configure explicitly: its own discovery picks the
# LLVM 14 tools on PATH here). Records wall and CPU time of each whole pipeline and binary sizes,
# benchmarks the pythons with a fixed pyperformance subset (from PyPI), smoke-tests each, and
# prints the pipeline time ratio, the geometric-mean speed ratio and per-benchmark ratios.
#
# Usage: Scripts/compare-profile-opt.sh [LLVM_MAJOR]        (default 22)
# Env:   BENCHMARKS=nbody,richards,...  (default: 12 below)  PYPERF_FAST=1 (default) adds --fast
# Takes about an hour on 2 cores. Results go to .temper/compare/.
set -euo pipefail
major="${1:-22}"
root="$(cd "$(dirname "$0")/.." && pwd)"
llvm="/usr/lib/llvm-$major/bin"
src="$root/Profiles/sources/python3.11"
out="$root/.temper/compare"
benchmarks="${BENCHMARKS:-chaos,deltablue,float,go,hexiom,json_dumps,nbody,nqueens,raytrace,richards,spectral_norm,unpack_sequence}"
fast=(); [ "${PYPERF_FAST:-1}" = 1 ] && fast=(--fast)
jobs="$(nproc)"

"$root/Scripts/install-toolchain.sh" "$major"
"$root/Scripts/install-cpython-deps.sh"
"$root/Scripts/fetch-source.sh" python3.11
command -v /usr/bin/time >/dev/null || { echo "error: GNU time is needed (apt-get install time)" >&2; exit 2; }
[ ! -e "$src/pyconfig.h" ] || { echo "error: $src has an in-tree build; out-of-tree builds need a clean source" >&2; exit 2; }
mkdir -p "$out"
swift build -c release --package-path "$root" >/dev/null
temper="$(swift build -c release --package-path "$root" --show-bin-path)/temper"

# Runs a command under GNU time, appending "label wall user sys" to $out/times.
timed() {
  local label="$1"; shift
  /usr/bin/time -f "$label %e %U %S" -a -o "$out/times" "$@"
}
: > "$out/times"

echo "== (a) make profile-opt (configure --enable-optimizations --with-lto=thin)"
rm -rf "$out/profile-opt"; mkdir -p "$out/profile-opt"
(cd "$out/profile-opt" &&
  timed a-configure "$src/configure" --enable-optimizations --with-lto=thin --without-ensurepip \
    CC="$llvm/clang" CXX="$llvm/clang++" LLVM_PROFDATA="$llvm/llvm-profdata" LLVM_AR="$llvm/llvm-ar" \
    AR="$llvm/llvm-ar" RANLIB="$llvm/llvm-ranlib" > "$out/profile-opt.log" 2>&1 &&
  timed a-make make -j"$jobs" >> "$out/profile-opt.log" 2>&1)

echo "== (b) temper run Profiles/cpython.toml (PGO + ThinLTO + BOLT)"
timed b-temper "$temper" run "$root/Profiles/cpython.toml" --fresh --workdir "$out/temper" \
  --llvm-bin "$llvm" > "$out/temper.log" 2>&1

pythons=(
  "profile-opt=$out/profile-opt/python"
  "temper-pgo-lto=$out/temper/stages/optimize/build/python"
  "temper-bolt=$out/temper/out/python"
)

echo "== smoke: python -m test on each build"
for entry in "${pythons[@]}"; do
  name="${entry%%=*}"; python="${entry#*=}"
  "$python" -m test -q test_sys test_json test_ssl test_sqlite3 test_ctypes test_zlib test_decimal > "$out/smoke-$name.log" 2>&1 \
    && echo "  $name: ok" || { echo "  $name: FAILED, see $out/smoke-$name.log"; exit 1; }
done

echo "== pyperformance ($benchmarks)"
python3 -m venv "$out/runner"
"$out/runner/bin/pip" install -q pyperformance
for entry in "${pythons[@]}"; do
  name="${entry%%=*}"; python="${entry#*=}"
  rm -f "$out/pyperf-$name.json"
  "$out/runner/bin/pyperformance" run "${fast[@]}" --python="$python" -b "$benchmarks" \
    -o "$out/pyperf-$name.json" > "$out/pyperf-$name.log" 2>&1
done

echo "== result"
"$out/runner/bin/python" - "$out" <<'PY'
import json, math, os, statistics, sys
import pyperf
out = sys.argv[1]
times = {}
for line in open(os.path.join(out, "times")):
    label, wall, user, system = line.split()
    times[label] = (float(wall), float(user) + float(system))
a_wall = times["a-configure"][0] + times["a-make"][0]
a_cpu = times["a-configure"][1] + times["a-make"][1]
b_wall, b_cpu = times["b-temper"]
size = lambda p: os.path.getsize(p) / 1e6
print(f"pipeline wall: make profile-opt {a_wall:.0f} s, temper {b_wall:.0f} s, ratio {b_wall / a_wall:.2f}")
print(f"pipeline CPU:  make profile-opt {a_cpu:.0f} s, temper {b_cpu:.0f} s, ratio {b_cpu / a_cpu:.2f}")
print(f"binary size:   profile-opt {size(os.path.join(out, 'profile-opt/python')):.1f} MB, "
      f"temper pgo-lto {size(os.path.join(out, 'temper/stages/optimize/build/python')):.1f} MB, "
      f"temper bolt {size(os.path.join(out, 'temper/out/python')):.1f} MB")
suites = {n: pyperf.BenchmarkSuite.load(os.path.join(out, f"pyperf-{n}.json")) for n in ("profile-opt", "temper-pgo-lto", "temper-bolt")}
names = sorted(set.intersection(*(set(s.get_benchmark_names()) for s in suites.values())))
print(f"\n{'benchmark':20} {'profile-opt ms':>15} {'pgo-lto speed':>14} {'bolt speed':>11}")
ratios = {"temper-pgo-lto": [], "temper-bolt": []}
for name in names:
    base = statistics.median(suites["profile-opt"].get_benchmark(name).get_values())
    row = f"{name:20} {base * 1000:15.2f}"
    for variant in ratios:
        value = statistics.median(suites[variant].get_benchmark(name).get_values())
        ratios[variant].append(base / value)
        row += f" {base / value:13.3f}x"
    print(row)
for variant, values in ratios.items():
    geomean = math.exp(sum(math.log(v) for v in values) / len(values))
    print(f"geometric mean speed, {variant} vs make profile-opt: {geomean:.3f}x (>1 is faster)")
PY
