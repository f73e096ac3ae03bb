# Runs one pyperformance benchmark's body in-process a fixed number of loops, for a deterministic
# instruction count under valgrind (wall times on shared machines drift 10-20%; this does not).
# pyperf is replaced by a stub whose Runner calls the benchmark function LOOPS times and times
# nothing, so the count covers start-up, the benchmark's set-up and exactly LOOPS bodies.
#
# Usage: PYTHONHASHSEED=0 python bench-body.py BENCHMARK_DIR LOOPS
#   BENCHMARK_DIR: pyperformance's data-files/benchmarks/bm_NAME (holds run_benchmark.py)
import argparse
import os
import runpy
import sys
import time
import types

bench_dir, loops = sys.argv[1], int(sys.argv[2])
if loops < 1:
    sys.exit("error: LOOPS must be at least 1")


class Runner:
    """The part of pyperf.Runner that pyperformance's benchmark scripts use."""

    def __init__(self, *args, add_cmdline_args=None, **kwargs):
        self.metadata = {}
        self.argparser = argparse.ArgumentParser()
        self.args = None

    def parse_args(self, args=None):
        if self.args is None:
            self.args = self.argparser.parse_args([])
        return self.args

    def bench_func(self, name, func, *args, inner_loops=None, metadata=None):
        self.parse_args()
        for _ in range(loops):
            func(*args)

    def bench_time_func(self, name, func, *args, inner_loops=None, metadata=None):
        self.parse_args()
        return func(loops, *args)

    def bench_async_func(self, name, func, *args, inner_loops=None, metadata=None):
        import asyncio
        self.parse_args()
        for _ in range(loops):
            asyncio.run(func(*args))

    def bench_command(self, name, command):
        raise SystemExit(f"error: {name} runs a command; its instructions are not this process's")


stub = types.ModuleType("pyperf")
stub.Runner = Runner
stub.perf_counter = time.perf_counter
sys.modules["pyperf"] = stub
sys.path.insert(0, bench_dir)
sys.argv = [os.path.join(bench_dir, "run_benchmark.py")]
runpy.run_path(sys.argv[0], run_name="__main__")
