#!/usr/bin/env python3
"""Warm-up comparisons for docs/warmup.md: async POST /jobs (`wrk -t2 -c32`, submit.lua, cpu 1 iteration) in the
first 5 s after ready vs the same after LOAD seconds (default 30) more of that load, on fresh instances of the packaged
service started with different JVM flags, in interleaved rounds; prints each run and the medians. Standard library
and wrk; bench.py has the same measurement as a row of its table.

    python3 deploy/loadtest/cold_start.py 3 plain= aot=-XX:AOTCache=target/quarkus-app/app.aot
    LOAD=0 python3 deploy/loadtest/cold_start.py 5 on= off=-Dthreadlab.warmup.eager=false   # the cold figure only

Each variant is name=flags, the flags separated by spaces (quote the argument). The timeline of one fresh instance,
1-s wrk runs from ready on, with the JVM's output (e.g. -XX:+PrintCompilation -XX:+CITime) in a log file:

    python3 deploy/loadtest/cold_start.py --timeline 30 /tmp/jit.log -XX:AOTCache=target/quarkus-app/app.aot -XX:+CITime
"""
import os
import statistics
import sys
import time

import bench
from threadlab_service import Service


def timeline(seconds, log, flags):
    svc = Service(jvm=flags, log=log)
    started = time.perf_counter()
    try:
        print(f"ready in {svc.ready_seconds:.2f} s")
        for _ in range(seconds):
            rate = bench.wrk(svc.base, 1, 32, script="submit.lua", args=("cpu", "1"))[0]
            print(f"{time.perf_counter() - started:5.1f} s after ready: {rate:.0f} req/s", flush=True)
    finally:
        svc.stop()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    if sys.argv[1] == "--timeline":
        return timeline(int(sys.argv[2]), sys.argv[3], tuple(sys.argv[4:]))
    rounds, load = int(sys.argv[1]), int(os.environ.get("LOAD", "30"))
    variants = [(arg.split("=", 1)[0], tuple(arg.split("=", 1)[1].split())) for arg in sys.argv[2:]]
    runs = {name: [] for name, _ in variants}
    for index in range(rounds):
        for name, flags in variants:
            cold, warm, ready = bench.cold_vs_warm(flags, load_seconds=load)
            runs[name].append((cold, warm, ready))
            print(f"round {index + 1} {name}: ready in {ready:.2f} s, first 5 s {cold:.0f} req/s, after {load} s "
                  f"{warm:.0f} req/s, ratio {cold / warm:.2f}", flush=True)
    for name, values in runs.items():
        print(f"{name}: medians of {rounds}: ready {statistics.median(v[2] for v in values):.2f} s, first 5 s "
              f"{statistics.median(v[0] for v in values):.0f} req/s, after {load} s "
              f"{statistics.median(v[1] for v in values):.0f} req/s, ratio "
              f"{statistics.median(v[0] / v[1] for v in values):.2f}")


if __name__ == "__main__":
    main()
