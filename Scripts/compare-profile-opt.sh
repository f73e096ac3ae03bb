#!/usr/bin/env bash
# CPython head to head: `make profile-opt` against temper, on the same source and the same
# clang / llvm-profdata / llvm-ar (given to configure explicitly: its own discovery picks the
# LLVM 14 tools on PATH here). Records wall and CPU time of each whole pipeline and binary sizes,
# benchmarks the pythons with a fixed pyperformance subset (from PyPI), smoke-tests each, and
# prints the pipeline time ratio, the geometric-mean speed ratio and per-benchmark ratios.
#
# Usage: Scripts/compare-profile-opt.sh [LLVM_MAJOR]        (default 22)
# Env:   BENCHMARKS=nbody,richards,...  (default: 12 below)  PYPERF_FAST=1 (default) adds --fast
#        ROUNDS=2 (default): pyperformance rounds; each round runs the pythons in a new order, so
#        drift on a shared machine falls on all of them alike
#        ONLY=pipelines: build both and print the pipeline lines only (no benchmarks, no failing
#        shard; ~12 minutes), into .temper/compare-pipelines/, for another sample of the time ratio
# Also shows that a failing training shard costs only that shard: it makes one test abort (a
# module on PYTHONPATH that shadows the one it tests), then runs temper again.
# Takes about 40 minutes on 2 cores (most of it the two pipelines). Results go to .temper/compare/ (summary.txt).
set -euo pipefail
major="${1:-22}"
root="$(cd "$(dirname "$0")/.." && pwd)"
llvm="/usr/lib/llvm-$major/bin"
src="$root/Profiles/sources/python3.11"
only="${ONLY:-}"
case "$only" in "" ) out="$root/.temper/compare" ;; pipelines) out="$root/.temper/compare-pipelines" ;;
  *) echo "error: ONLY=$only: the only choice is ONLY=pipelines" >&2; exit 2 ;; esac
benchmarks="${BENCHMARKS:-chaos,deltablue,float,go,hexiom,json_dumps,nbody,nqueens,raytrace,richards,spectral_norm,unpack_sequence}"
fast=(); [ "${PYPERF_FAST:-1}" = 1 ] && fast=(--fast)
rounds="${ROUNDS:-2}"
jobs="$(nproc)"

"$root/Scripts/install-toolchain.sh" "$major"
"$root/Scripts/install-cpython-deps.sh"
"$root/Scripts/fetch-source.sh" python3.11
command -v /usr/bin/time >/dev/null || { echo "error: GNU time is needed (apt-get install time)" >&2; exit 2; }
[ ! -e "$src/pyconfig.h" ] || { echo "error: $src has an in-tree build; out-of-tree builds need a clean source" >&2; exit 2; }
mkdir -p "$out"
swift build -c release --package-path "$root" >/dev/null
temper="$(swift build -c release --package-path "$root" --show-bin-path)/temper"

# timed LABEL CMD...: "label wall user sys" into $out/times (emptied here: one run, one file).
: > "$out/times"
. "$(dirname "$0")/timed.sh"

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
cp "$out/temper/report.json" "$out/temper-report.json"

# The result script: pipeline lines, then (unless ONLY=pipelines) benchmarks and goals.
summarize() {
  "$1" - "$out" "$rounds" "$only" <<'PY' | tee "$out/summary.txt"
import json, math, os, statistics, sys
out, rounds, only = sys.argv[1], int(sys.argv[2]), sys.argv[3]
times = {}
for line in open(os.path.join(out, "times")):
    label, wall, user, system = line.split()
    times[label] = (float(wall), float(user) + float(system))
a_wall = times["a-configure"][0] + times["a-make"][0]
a_cpu = times["a-configure"][1] + times["a-make"][1]
b_wall, b_cpu = times["b-temper"]
# The temper run's own stage times: PGO + LTO (through optimize) and BOLT's four stages.
stages = {s["name"]: s["seconds"] for s in json.load(open(os.path.join(out, "temper-report.json")))["stages"]}
pgo_lto = sum(stages[n] for n in ("instrument", "train", "merge", "optimize"))
bolt = sum(stages[n] for n in ("bolt-instrument", "bolt-train", "bolt-merge", "bolt-optimize"))
size = lambda p: os.path.getsize(p) / 1e6
print(f"pipeline wall: make profile-opt {a_wall:.0f} s; temper {b_wall:.0f} s in all, ratio {b_wall / a_wall:.2f}; "
      f"temper PGO+LTO stages {pgo_lto:.0f} s, ratio {pgo_lto / a_wall:.2f}; BOLT stages {bolt:.0f} s")
print("temper stages: " + ", ".join(f"{n} {s:.0f} s" for n, s in stages.items()))
print(f"pipeline CPU:  make profile-opt {a_cpu:.0f} s, temper {b_cpu:.0f} s, ratio {b_cpu / a_cpu:.2f}")
print(f"binary size:   profile-opt {size(os.path.join(out, 'profile-opt/python')):.1f} MB, "
      f"temper pgo-lto {size(os.path.join(out, 'temper/stages/optimize/build/python')):.1f} MB, "
      f"temper bolt {size(os.path.join(out, 'temper/out/python')):.1f} MB")
check = lambda ok: "met" if ok else "NOT met"
goal_time = (f"  temper pipeline <= 0.8x make profile-opt wall: PGO+LTO {pgo_lto / a_wall:.2f}x {check(pgo_lto / a_wall <= 0.8)}; "
             f"with BOLT {b_wall / a_wall:.2f}x {check(b_wall / a_wall <= 0.8)}")
if only == "pipelines":
    print("\ngoal:\n" + goal_time)
    sys.exit(0)
import pyperf

def values(variant):
    """Every value of every benchmark, pooled over the rounds."""
    pooled = {}
    for r in range(1, rounds + 1):
        suite = pyperf.BenchmarkSuite.load(os.path.join(out, f"pyperf-{variant}-{r}.json"))
        for bench in suite.get_benchmarks():
            pooled.setdefault(bench.get_name(), []).extend(bench.get_values())
    return pooled
suites = {n: values(n) for n in ("profile-opt", "temper-pgo-lto", "temper-bolt")}
names = sorted(set.intersection(*(set(s) for s in suites.values())))
print(f"\n{'benchmark':20} {'profile-opt ms':>15} {'pgo-lto speed':>14} {'bolt speed':>11}")
ratios = {"temper-pgo-lto": [], "temper-bolt": []}
for name in names:
    base = statistics.median(suites["profile-opt"][name])
    row = f"{name:20} {base * 1000:15.4g}"
    for variant in ratios:
        ratio = base / statistics.median(suites[variant][name])
        ratios[variant].append(ratio)
        row += f" {ratio:13.3f}x"
    print(row)
geomean = {v: math.exp(sum(map(math.log, r)) / len(r)) for v, r in ratios.items()}
for variant, value in geomean.items():
    print(f"geometric mean speed, {variant} vs make profile-opt: {value:.3f}x (>1 is faster)")

def train_of(path):
    return next(s for s in json.load(open(path))["stages"] if s["name"] == "train")
crashed, resumed = train_of(os.path.join(out, "report-crashed.json")), train_of(os.path.join(out, "report-resumed.json"))
counts = resumed.get("counts") or {}
reused, tasks = counts.get("tasks_reused"), counts.get("tasks")
print(f"\nfailing shard: train {crashed['outcome']} after {crashed['seconds']:.0f} s; the resumed run's train took "
      f"{resumed['seconds']:.0f} s (full train {stages['train']:.0f} s), tasks reused {reused} of {tasks}")

print("\ngoals:\n" + goal_time)
print(f"  at least as fast without BOLT (geomean >= 1.00): {geomean['temper-pgo-lto']:.3f}x {check(geomean['temper-pgo-lto'] >= 1.0)}")
print(f"  faster with BOLT (geomean > 1.00): {geomean['temper-bolt']:.3f}x {check(geomean['temper-bolt'] > 1.0)}")
print(f"  a failing shard costs only that shard: {reused} of {tasks} shards reused {check(tasks is not None and reused == tasks - 1)}")
PY
}
if [ "$only" = pipelines ]; then
  echo "== result"
  summarize python3
  exit 0
fi

pythons=(
  "profile-opt=$out/profile-opt/python"
  "temper-pgo-lto=$out/temper/stages/optimize/build/python"
  # out/python is the same binary, but a build-tree python runs only inside its tree: this is
  # bolt-optimize's hard-link mirror of the optimized build with the BOLTed python in it.
  "temper-bolt=$out/temper/stages/bolt-optimize/tree/python"
)

echo "== smoke: python -m test on each build"
for entry in "${pythons[@]}"; do
  name="${entry%%=*}"; python="${entry#*=}"
  "$python" -m test -q test_sys test_json test_ssl test_sqlite3 test_ctypes test_zlib test_decimal > "$out/smoke-$name.log" 2>&1 \
    && echo "  $name: ok" || { echo "  $name: FAILED, see $out/smoke-$name.log"; exit 1; }
done

echo "== pyperformance ($benchmarks), $rounds interleaved round(s)"
[ -x "$out/runner/bin/pyperformance" ] || { python3 -m venv "$out/runner" && "$out/runner/bin/pip" install -q pyperformance; }
rm -f "$out"/pyperf-*.json
for ((round = 1; round <= rounds; round++)); do
  order=("${pythons[@]}")
  # Round 1 in the listed order, round 2 reversed, round 3 rotated, ...
  if ((round % 2 == 0)); then order=("${order[2]}" "${order[1]}" "${order[0]}"); fi
  if ((round % 3 == 0)); then order=("${order[1]}" "${order[2]}" "${order[0]}"); fi
  for entry in "${order[@]}"; do
    name="${entry%%=*}"; python="${entry#*=}"
    echo "  round $round: $name"
    (cd "$out" && "$out/runner/bin/pyperformance" run "${fast[@]}" --python="$python" -b "$benchmarks" \
      -o "$out/pyperf-$name-$round.json" > "$out/pyperf-$name-$round.log" 2>&1)
  done
done

echo "== one failing training shard (test_tabnanny aborts), then a resumed run"
"$root/Scripts/failing-shard.sh" "$temper" "$root/Profiles/cpython.toml" "$out/temper" "$llvm" "$out"

echo "== result"
summarize "$out/runner/bin/python"
