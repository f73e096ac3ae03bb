#!/usr/bin/env bash
# The A/A false-alarm rate of `temper tune`: the reference build measured against an identical
# copy of itself, REPEATS times (default 20), each with the minimum rounds. A comparison whose
# 95% interval excludes 1.0 is a false alarm; at most 5% of them should be.
#
# Usage: Scripts/measure-tune-aa.sh [PROFILE]     (default Profiles/demo.toml; needs [bench])
# Env:   REPEATS=20  WORKDIR=/tmp/temper-tune-aa  TEMPER=.build/release/temper (built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-Profiles/demo.toml}"
repeats="${REPEATS:-20}"
workdir="${WORKDIR:-/tmp/temper-tune-aa}"
temper="${TEMPER:-}"
if [ -z "$temper" ]; then
  swift build -c release --product temper >/dev/null
  temper=.build/release/temper
fi
# The profile with a one-row matrix: only the reference, so each tune is the A/A row alone.
dir="$(cd "$(dirname "$profile")" && pwd)"
aa_profile="$dir/.aa-$(basename "$profile")"
trap 'rm -f "$aa_profile"' EXIT
{ grep -v '^\[tune' "$profile"; printf '\n[tune]\nreference = "pgo-lto"\n[[tune.variant]]\nname = "pgo-lto"\npie = true\n'; } > "$aa_profile"
alarms=0
for i in $(seq 1 "$repeats"); do
  "$temper" tune "$aa_profile" --workdir "$workdir" --no-counters --json > "$workdir.json" 2>/dev/null
  line=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); a=r["aa"]; print("%.4f %.4f %.4f %s %d" % (a["value"], a["low"], a["high"], a["false_alarm"], r["rounds"]))' "$workdir.json")
  echo "repeat $i: A/A ratio, low, high, false alarm, rounds: $line"
  case "$line" in (*True*) alarms=$((alarms + 1));; esac
done
echo "false alarms: $alarms of $repeats"
