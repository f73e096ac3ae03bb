#!/usr/bin/env bash
# Train once, build many: what a profile bundle and a shared compile cache buy.
#
#   first   the whole pipeline in a fresh work dir; compiles go through ccache with a cold local
#           cache and a redis-server on 127.0.0.1 (started here, emptied first) as remote
#           storage; the ThinLTO cache in a directory shared by the work dirs (emptied first).
#           Then `temper bundle export`.
#   second  another fresh work dir built from the bundle (--profile-bundle), with an empty local
#           ccache directory of its own: every hit comes from redis, as on another machine.
#   shards  two work dirs each train half of the tasks (--to train --tasks), each exports a
#           bundle, `temper bundle merge` combines them, and a fourth work dir builds from the
#           merged bundle (--no-bolt: bundles of a training-only run carry no BOLT profile).
#   reference  (run by shards too) the first run's bundle built the same way (--no-bolt), the
#           one-machine build the merged one is compared with: bytes, and the instructions the
#           [bench] workload executes (callgrind, deterministic).
#   summary prints the figures from what is recorded.
#
# Usage: Scripts/measure-bundle-cache.sh [PROFILE]      (default Profiles/cpython-3.13.toml)
# Env:   ONLY=first|second|shards|reference|summary (default: all, ~50 min for CPython 3.13 on 2 cores)
#        REDIS_PORT=6391  LLVM_MAJOR=22  SHARDS_A=pgo-shard-1,pgo-shard-2  SHARDS_B=pgo-shard-3,pgo-shard-4
#        BENCH="python args..." overrides the instruction workload (default: the profile's
#        [bench] run for CPython; for other profiles give one)
# Results: .temper/bundle-cache/NAME/ (summary.txt). The redis-server stays up between phases
# (ONLY=second needs what ONLY=first stored); stop it with: redis-cli -p 6391 shutdown nosave
set -euo pipefail
# Restore SIGINT/SIGQUIT's default dispositions (see default-signals.sh).
. "$(dirname "$0")/default-signals.sh"
root="$(cd "$(dirname "$0")/.." && pwd)"
profile="$(realpath "${1:-$root/Profiles/cpython-3.13.toml}")"
name="$(sed -n 's/^name = "\(.*\)"/\1/p' "$profile" | head -1)"
major="${LLVM_MAJOR:-22}"
llvm="/usr/lib/llvm-$major/bin"
port="${REDIS_PORT:-6391}"
out="$root/.temper/bundle-cache/$name"
only="${ONLY:-}"
case "$only" in ""|first|second|shards|reference|summary) ;; *) echo "error: ONLY=$only: choose first, second, shards, reference or summary" >&2; exit 2 ;; esac
shards_a="${SHARDS_A:-pgo-shard-1,pgo-shard-2}"
shards_b="${SHARDS_B:-pgo-shard-3,pgo-shard-4}"

if [ "$only" != summary ]; then
  "$root/Scripts/install-toolchain.sh" "$major" >/dev/null
  command -v redis-server >/dev/null && command -v ccache >/dev/null \
    || { echo "error: ccache and redis-server are needed: Scripts/install-toolchain.sh installs them" >&2; exit 2; }
  case "$name" in cpython*) "$root/Scripts/install-cpython-deps.sh" >/dev/null ;; esac
fi
mkdir -p "$out"
touch "$out/times"
swift build -c release --package-path "$root" >/dev/null
temper="$(swift build -c release --package-path "$root" --show-bin-path)/temper"

# timed LABEL CMD...: "label wall user sys" into $out/times.
. "$(dirname "$0")/timed.sh"

redis_up() {
  if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
    mkdir -p "$out/redis"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$out/redis" \
      --maxmemory 8gb --daemonize yes --logfile "$out/redis/redis.log" >/dev/null
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}
export CCACHE_REMOTE_STORAGE="redis://127.0.0.1:$port"
# One machine's ccache: `env CCACHE_DIR=$out/ccache-NAME`, its own local directory; the fleet's redis.

if [ "$only" = "" ] || [ "$only" = first ]; then
  echo "== first: the whole pipeline, cold caches (ccache -> redis on 127.0.0.1:$port)"
  redis_up
  redis-cli -p "$port" flushall >/dev/null
  rm -rf "$out/ccache-first" "$out/thinlto" "$out/first.bundle"
  timed first env CCACHE_DIR="$out/ccache-first" "$temper" run "$profile" --fresh --workdir "$out/first" --llvm-bin "$llvm" \
    --launcher ccache --thinlto-cache "$out/thinlto" > "$out/first.log" 2>&1 \
    || { echo "error: the first run failed, see $out/first.log" >&2; exit 1; }
  "$temper" bundle export --workdir "$out/first" -o "$out/first.bundle" > "$out/export.log"
  cp "$out/first/report.json" "$out/first-report.json"
fi

if [ "$only" = "" ] || [ "$only" = second ]; then
  echo "== second: another work dir, from the bundle, warm shared caches, empty local ccache"
  redis_up
  rm -rf "$out/ccache-second"
  timed second env CCACHE_DIR="$out/ccache-second" "$temper" run "$profile" --fresh --workdir "$out/second" --llvm-bin "$llvm" \
    --profile-bundle "$out/first.bundle" --launcher ccache --thinlto-cache "$out/thinlto" > "$out/second.log" 2>&1 \
    || { echo "error: the second run failed, see $out/second.log" >&2; exit 1; }
  cp "$out/second/report.json" "$out/second-report.json"
fi

# Instructions the bench workload executes on a work dir's PGO+LTO build (callgrind).
instructions() {
  local build="$1/stages/optimize/build"
  local bench
  if [ -n "${BENCH:-}" ]; then bench=($BENCH); else bench=("$build/python" "$root/Profiles/cpython/bench.py"); fi
  LD_LIBRARY_PATH="$build" PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null "${bench[@]}" 2>&1 >/dev/null \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | tail -1
}

if [ "$only" = "" ] || [ "$only" = shards ]; then
  echo "== shards: two work dirs train $shards_a and $shards_b, merge, build"
  redis_up
  rm -f "$out/shard-a.bundle" "$out/shard-b.bundle" "$out/shards.bundle"
  timed shard-a env CCACHE_DIR="$out/ccache-shard-a" "$temper" run "$profile" --fresh --workdir "$out/shard-a" --llvm-bin "$llvm" --to train \
    --tasks "$shards_a" --launcher ccache > "$out/shard-a.log" 2>&1
  timed shard-b env CCACHE_DIR="$out/ccache-shard-b" "$temper" run "$profile" --fresh --workdir "$out/shard-b" --llvm-bin "$llvm" --to train \
    --tasks "$shards_b" --launcher ccache > "$out/shard-b.log" 2>&1
  "$temper" bundle export --workdir "$out/shard-a" -o "$out/shard-a.bundle" > /dev/null
  "$temper" bundle export --workdir "$out/shard-b" -o "$out/shard-b.bundle" > /dev/null
  "$temper" bundle merge "$out/shard-a.bundle" "$out/shard-b.bundle" -o "$out/shards.bundle" --llvm-bin "$llvm" > "$out/merge.log"
  rm -f "$out/shards-again.bundle"
  "$temper" bundle merge "$out/shard-a.bundle" "$out/shard-b.bundle" -o "$out/shards-again.bundle" --llvm-bin "$llvm" > /dev/null
  cmp -s "$out/shards.bundle" "$out/shards-again.bundle" && echo same > "$out/merge-deterministic" || echo DIFFERENT > "$out/merge-deterministic"
  rm -f "$out/shards-again.bundle"
  timed merged env CCACHE_DIR="$out/ccache-merged" "$temper" run "$profile" --fresh --workdir "$out/merged" --llvm-bin "$llvm" --no-bolt \
    --profile-bundle "$out/shards.bundle" --launcher ccache --thinlto-cache "$out/thinlto" > "$out/merged.log" 2>&1 \
    || { echo "error: the build from the merged bundle failed, see $out/merged.log" >&2; exit 1; }
  instructions "$out/merged" > "$out/instructions-merged"
fi

# The one-machine reference for the merged build: the first run's profile (its bundle), built
# the same way (--no-bolt). The first run's own optimize build is not comparable: with BOLT on,
# temper links it -no-pie with --emit-relocs, which alone moves the instruction count by ~1%.
if [ "$only" = "" ] || [ "$only" = shards ] || [ "$only" = reference ]; then
  echo "== reference: the first run's bundle built like the merged one (--no-bolt)"
  redis_up
  timed reference env CCACHE_DIR="$out/ccache-reference" "$temper" run "$profile" --fresh --workdir "$out/reference" --llvm-bin "$llvm" --no-bolt \
    --profile-bundle "$out/first.bundle" --launcher ccache --thinlto-cache "$out/thinlto" > "$out/reference.log" 2>&1 \
    || { echo "error: the reference build failed, see $out/reference.log" >&2; exit 1; }
  instructions "$out/reference" > "$out/instructions-reference"
  [ -s "$out/instructions-merged" ] || instructions "$out/merged" > "$out/instructions-merged"
fi

python3 - "$out" <<'EOF' | tee "$out/summary.txt"
import json, os, sys
out = sys.argv[1]
times = {}
for line in open(os.path.join(out, "times")):
    parts = line.split()
    if len(parts) == 4:
        times[parts[0]] = tuple(float(x) for x in parts[1:])
def report(name):
    path = os.path.join(out, name + "-report.json")
    return json.load(open(path)) if os.path.exists(path) else None
def stage_times(r):
    return ", ".join(f"{s['name']} {s['seconds']:.0f}" for s in r["stages"] if s["outcome"] == "executed")
first, second = report("first"), report("second")
if "first" in times and first:
    print(f"first run (full pipeline, cold ccache + redis + ThinLTO cache): {times['first'][0]:.0f} s; stages: {stage_times(first)}")
    for stage, stats in sorted((first.get("compile_cache") or {}).items()):
        print(f"  compile cache {stage}: {stats['hits']} hits, {stats['misses']} misses")
if "second" in times and second and "first" in times:
    ratio = times["second"][0] / times["first"][0]
    upto = sum(s["seconds"] for s in second["stages"] if s["name"] != "install")
    print(f"second run (bundle, warm shared caches, empty local ccache): {times['second'][0]:.0f} s = {ratio:.2f}x the first; stages: {stage_times(second)}")
    print(f"  optimized build ready (every stage but install): {upto:.0f} s = {upto / times['first'][0]:.2f}x the first")
    for stage, stats in sorted((second.get("compile_cache") or {}).items()):
        total = stats["hits"] + stats["misses"]
        share = 100 * stats["hits"] / total if total else 0
        print(f"  compile cache {stage}: {stats['hits']} hits ({stats['remote_hits']} from redis), {stats['misses']} misses: {share:.1f}% hits; {stats['uncacheable']} calls ccache cannot cache (linking, several sources at once)")
    st = second.get("staleness")
    if st:
        print(f"  staleness: same sources {st['sources']['same_sources']}, hot functions matched {st.get('hot_matched_percent')}%")
    fa = {a["name"]: a["sha256"] for a in first["artifacts"]}
    sa = {a["name"]: a["sha256"] for a in second["artifacts"]}
    same = [n for n in fa if sa.get(n) == fa[n]]
    print(f"  published artifacts identical to the first run's: {', '.join(same) or 'none'} (of {', '.join(fa)})")
    pf = {a["name"]: a.get("stage") for a in first["artifacts"]}
    ps = {a["name"]: a.get("stage") for a in second["artifacts"]}
    for n in fa:
        if pf.get(n) != ps.get(n):
            print(f"    {n}: published from {pf.get(n)} in the first run, {ps.get(n)} in the second (the BOLT selection is measured again in each)")
    import filecmp
    for stage_dir in ("optimize/build", "bolt-optimize/tree"):
        for n in fa:
            p = os.path.join(out, "first/stages", stage_dir, n)
            q = os.path.join(out, "second/stages", stage_dir, n)
            if os.path.exists(p) and os.path.exists(q):
                print(f"    {stage_dir}/{n}: {'identical' if filecmp.cmp(p, q, shallow=False) else 'different'}")
if os.path.exists(os.path.join(out, "instructions-merged")):
    reference = os.path.join(out, "instructions-reference")
    a = open(reference).read().strip() if os.path.exists(reference) else ""
    b = open(os.path.join(out, "instructions-merged")).read().strip()
    print(f"shards: train {times.get('shard-a', (0,))[0]:.0f} s + {times.get('shard-b', (0,))[0]:.0f} s on two work dirs, merged bundle deterministic: {open(os.path.join(out, 'merge-deterministic')).read().strip()}, build from it {times.get('merged', (0,))[0]:.0f} s")
    if a and b:
        print(f"  bench instructions (callgrind, both --no-bolt): one machine {int(a):,}, two machines merged {int(b):,}: {int(b) / int(a):.4f}x")
    first_py = os.path.join(out, "reference/stages/optimize/build")
    merged_py = os.path.join(out, "merged/stages/optimize/build")
    import filecmp
    for art in ("python", "libpython3.13.so.1.0"):
        p, q = os.path.join(first_py, art), os.path.join(merged_py, art)
        if os.path.exists(p) and os.path.exists(q):
            print(f"  {art}: {'identical' if filecmp.cmp(p, q, shallow=False) else 'different'} bytes (one-machine PGO+LTO vs merged)")
EOF
