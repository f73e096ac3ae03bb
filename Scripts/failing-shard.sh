#!/usr/bin/env bash
# Shows that a failing training shard costs only that shard: makes one --pgo test abort (a module
# on PYTHONPATH that shadows tabnanny, which test_tabnanny imports), runs train alone (it must
# fail with exit status 1), then resumes. Keeps both reports and times the resumed run.
# Used by the compare scripts.
# Usage: Scripts/failing-shard.sh TEMPER PROFILE WORKDIR LLVM_BIN OUT
set -euo pipefail
temper="$1" profile="$2" workdir="$3" llvm="$4" out="$5"
mkdir -p "$out/crash"
printf 'import os\nos.abort()\n' > "$out/crash/tabnanny.py"
status=0
PYTHONPATH="$out/crash" "$temper" run "$profile" --workdir "$workdir" --llvm-bin "$llvm" \
  --from train --to train > "$out/shard-crash.log" 2>&1 || status=$?
[ "$status" = 1 ] || { echo "error: expected train to fail with exit status 1, got $status (see $out/shard-crash.log)" >&2; exit 1; }
cp "$workdir/report.json" "$out/report-crashed.json"
grep -v "^c-resume " "$out/times" > "$out/times.new" 2>/dev/null || true
mv "$out/times.new" "$out/times"
/usr/bin/time -f "c-resume %e %U %S" -a -o "$out/times" \
  "$temper" run "$profile" --workdir "$workdir" --llvm-bin "$llvm" --to train > "$out/shard-resume.log" 2>&1
cp "$workdir/report.json" "$out/report-resumed.json"
