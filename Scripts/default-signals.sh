# Sourced first by the measurement scripts. A background job of a non-interactive shell starts
# with SIGINT ignored, and bash cannot undo that; CPython's tests that raise SIGINT
# (test_generators) then fail, and since 3.13 a failed training test fails CPython's own build.
# Re-executes the calling script once with the default dispositions.
if [ -z "${TEMPER_COMPARE_SIGNALS:-}" ]; then
  export TEMPER_COMPARE_SIGNALS=default
  exec python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGQUIT): signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$0" "$@"
fi
