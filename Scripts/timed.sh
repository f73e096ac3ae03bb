# Sourced by the measurement scripts (after they set $out). Runs a command under GNU time,
# recording "label wall user sys" in $out/times, replacing the label's line from an earlier run.
timed() {
  local label="$1"; shift
  grep -v "^$label \|^Command exited" "$out/times" > "$out/times.new" || true
  mv "$out/times.new" "$out/times"
  /usr/bin/time -f "$label %e %U %S" -a -o "$out/times" "$@"
}
