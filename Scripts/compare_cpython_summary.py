"""The result of Scripts/compare-cpython-3.13.sh, from what its phases recorded in OUT: pipeline
times, sizes, smoke tests, instruction counts (the deterministic figure, first), pyperformance
with a 95% interval over rounds, the failing-shard check, and the goals. Sections whose data
are missing are skipped, so a partial run (ONLY=...) still prints what it has.

Usage: python compare_cpython_summary.py OUT ROUNDS"""
import glob
import json
import math
import os
import statistics
import sys

out, rounds = sys.argv[1], int(sys.argv[2])
path = lambda *parts: os.path.join(out, *parts)
goals = []
check = lambda ok: "met" if ok else "NOT met"

# 95% two-sided Student t quantiles by degrees of freedom (rounds - 1).
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


def geomean(values):
    return math.exp(sum(map(math.log, values)) / len(values))


def interval(values):
    """Mean and 95% t interval of per-round figures (None for a single round)."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, None
    half = T95.get(len(values) - 1, 1.96) * statistics.stdev(values) / math.sqrt(len(values))
    return mean, (mean - half, mean + half)


times = {}
if os.path.exists(path("times")):
    for line in open(path("times")):
        fields = line.split()
        if len(fields) == 4 and not line.startswith("Command "):  # GNU time's "Command exited with ..." lines
            label, wall, user, system = fields
            times[label] = (float(wall), float(user) + float(system))
baseline_parts = ("a-configure", "a-make", "a-install")
if all(p in times for p in baseline_parts) and "b-temper" in times:
    a_wall = sum(times[p][0] for p in baseline_parts)
    a_cpu = sum(times[p][1] for p in baseline_parts)
    b_wall, b_cpu = times["b-temper"]
    print(f"pipeline wall: CPython's --enable-optimizations --with-lto=thin --enable-bolt + install {a_wall:.0f} s "
          f"(configure {times['a-configure'][0]:.0f}, make {times['a-make'][0]:.0f}, install {times['a-install'][0]:.0f}); "
          f"temper {b_wall:.0f} s; ratio {b_wall / a_wall:.2f}")
    print(f"pipeline CPU:  CPython {a_cpu:.0f} s, temper {b_cpu:.0f} s, ratio {b_cpu / a_cpu:.2f}")
    report = path("temper-report.json")
    if os.path.exists(report):
        stages = {s["name"]: s["seconds"] for s in json.load(open(report))["stages"]}
        print("temper stages: " + ", ".join(f"{n} {s:.0f} s" for n, s in stages.items()))
        bolt = json.load(open(report)).get("bolt") or {}
        selection = bolt.get("selection") or {}
        if selection:
            print(f"temper BOLT selection: published {selection.get('published')!r}; {selection.get('reason', '')}")
    goals.append(f"temper's whole pipeline <= 0.75x CPython's (install included): {b_wall / a_wall:.2f}x {check(b_wall / a_wall <= 0.75)}")

prefixes = {"cpython-bolt": path("cpython-install", "usr", "local"), "temper": path("temper", "out", "install", "usr", "local")}
size = lambda p: os.path.getsize(p) / 1e6 if os.path.exists(p) else float("nan")
print("sizes:         " + "; ".join(
    f"{name} python3.13 {size(os.path.join(p, 'bin', 'python3.13')):.2f} MB, libpython3.13.so.1.0 "
    f"{size(os.path.join(p, 'lib', 'libpython3.13.so.1.0')):.1f} MB" for name, p in prefixes.items()))

stripped = {n: path("stripped", n) for n in prefixes if os.path.isdir(path("stripped", n))}
if stripped:
    print("sizes without debug info (the instruction phase's --strip-debug copies): " + "; ".join(
        f"{name} python3.13 {size(os.path.join(p, 'bin', 'python3.13')):.2f} MB, libpython3.13.so.1.0 "
        f"{size(os.path.join(p, 'lib', 'libpython3.13.so.1.0')):.1f} MB" for name, p in stripped.items()))

smoke = {n: open(path(f"smoke-{n}.result")).read().strip() for n in prefixes if os.path.exists(path(f"smoke-{n}.result"))}
if smoke:
    print("smoke -m test: " + ", ".join(f"{n} {r}" for n, r in smoke.items()))
    goals.append(f"both installed pythons pass the smoke tests: {check(all(r == 'ok' for r in smoke.values()))}")
sysconfig = {n: open(path(f"sysconfig-{n}.result")).read().strip() for n in prefixes if os.path.exists(path(f"sysconfig-{n}.result"))}
if sysconfig:
    print("sysconfig (build flags or build-dir paths, Profiles/cpython/check-install.py): "
          + ", ".join(f"{n} {r}" for n, r in sysconfig.items()))

counts = {}
for name in prefixes:
    file = path(f"instructions-{name}.txt")
    if os.path.exists(file):
        counts[name] = dict((b, int(c)) for b, c in (line.split() for line in open(file)))
if len(counts) == 2:
    names = sorted(set(counts["cpython-bolt"]) & set(counts["temper"]))
    print(f"\ninstructions (callgrind, each benchmark's body in-process; deterministic)")
    print(f"{'benchmark':18} {'CPython --enable-bolt':>22} {'temper':>16} {'ratio':>7}")
    ratios = []
    for b in names:
        ratio = counts["temper"][b] / counts["cpython-bolt"][b]
        ratios.append(ratio)
        print(f"{b:18} {counts['cpython-bolt'][b]:22,} {counts['temper'][b]:16,} {ratio:7.3f}")
    g = geomean(ratios)
    print(f"geometric mean of temper / CPython instructions: {g:.3f} ({len(names)} benchmarks; < 1 is fewer)")
    goals.append(f"instructions geomean <= 1.00 (aim 0.97): {g:.3f} {check(g <= 1.0)}")

pyperf_files = glob.glob(path("pyperf-*-*.json"))
if pyperf_files:
    import pyperf

    def suite(name, r):
        file = path(f"pyperf-{name}-{r}.json")
        return {b.get_name(): b.get_values() for b in pyperf.BenchmarkSuite.load(file).get_benchmarks()} if os.path.exists(file) else None

    per_round, pooled = [], {n: {} for n in prefixes}
    for r in range(1, rounds + 1):
        base, mine = suite("cpython-bolt", r), suite("temper", r)
        if not base or not mine:
            continue
        shared = sorted(set(base) & set(mine))
        per_round.append(geomean([statistics.median(base[b]) / statistics.median(mine[b]) for b in shared]))
        for n, s in (("cpython-bolt", base), ("temper", mine)):
            for b in shared:
                pooled[n].setdefault(b, []).extend(s[b])
    if per_round:
        print(f"\npyperformance ({len(per_round)} interleaved rounds; speed = CPython time / temper time, > 1 is faster)")
        print(f"{'benchmark':18} {'CPython ms':>11} {'temper ms':>10} {'speed':>7}")
        for b in sorted(pooled["temper"]):
            base, mine = statistics.median(pooled["cpython-bolt"][b]), statistics.median(pooled["temper"][b])
            print(f"{b:18} {base * 1e3:11.4g} {mine * 1e3:10.4g} {base / mine:7.3f}")
        mean, ci = interval(per_round)
        rounds_text = ", ".join(f"{x:.3f}" for x in per_round)
        ci_text = f", 95% interval [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""
        print(f"geometric-mean speed per round: {rounds_text}; mean {mean:.3f}x{ci_text}")
        goals.append(f"pyperformance geomean >= 1.00: {mean:.3f}x{ci_text} {check(mean >= 1.0)}")

crashed, resumed = path("report-crashed.json"), path("report-resumed.json")
if os.path.exists(crashed) and os.path.exists(resumed):
    train = lambda p: next(s for s in json.load(open(p))["stages"] if s["name"] == "train")
    c, r = train(crashed), train(resumed)
    counts_ = r.get("counts") or {}
    reused, tasks = counts_.get("tasks_reused"), counts_.get("tasks")
    print(f"\nfailing shard: train {c['outcome']} after {c['seconds']:.0f} s; the resumed train took {r['seconds']:.0f} s, "
          f"tasks reused {reused} of {tasks}")
    goals.append(f"a failing shard costs only that shard: {reused} of {tasks} reused {check(tasks is not None and reused == tasks - 1)}")

if goals:
    print("\ngoals:\n  " + "\n  ".join(goals))
