"""Checks an installed CPython as a release engineer ships it (run by the installed python,
with no LD_LIBRARY_PATH and no PYTHONHOME):
- it loaded the libpython of its own prefix (through its RUNPATH, $ORIGIN/../lib);
- sysconfig carries none of temper's flags and no path into temper's work dir;
- its standard extension modules import.

Usage: python3.13 check-install.py WORK_DIR"""
import os
import sys
import sysconfig

work_dir = os.path.realpath(sys.argv[1])
problems = []

prefix = os.path.realpath(sys.prefix)
libs = {line.split()[-1] for line in open("/proc/self/maps") if "libpython" in line}
if not libs:
    problems.append("no libpython is mapped: this python is not a shared-library build")
for lib in libs:
    if not os.path.realpath(lib).startswith(prefix + "/lib/"):
        problems.append(f"loaded {lib}, not the libpython under its prefix {prefix}/lib")

# The flags temper gives the build (IR PGO, its diagnostics, the ThinLTO cache, BOLT's needs).
# CPython's own PGO_PROF_*_FLAG (front-end -fprofile-instr-*) are configure's, not temper's.
temper_flags = ("-fprofile-use=", "-fprofile-generate", "thinlto-cache-dir", "-static-func-full-module-prefix",
                "-pgo-warn-missing-function", "--emit-relocs", "-fdebug-prefix-map", "-Wbackend-plugin")
# What the build recorded (_sysconfigdata's build_time_vars), not the values sysconfig computes at
# run time from where the tree is (prefix, base, srcdir, ...: inside the work dir while checked).
data = __import__(sysconfig._get_sysconfigdata_name(), fromlist=["build_time_vars"])
for name, value in sorted(data.build_time_vars.items()):
    if not isinstance(value, str):
        continue
    if work_dir in value:
        problems.append(f"sysconfig {name} names the work dir: {value[:200]}")
    for flag in temper_flags:
        if flag in value:
            problems.append(f"sysconfig {name} carries temper's {flag}: {value[:200]}")

import ctypes, decimal, json, sqlite3, ssl, zlib  # noqa: E401,F401  (extension modules load)

if problems:
    sys.exit("installed python check failed:\n  " + "\n  ".join(problems))
print(f"installed python {sys.version.split()[0]} at {prefix}: libpython {', '.join(sorted(libs))}; sysconfig clean")
