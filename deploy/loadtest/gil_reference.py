#!/usr/bin/env python3
"""The GIL fidelity experiments on the local CPython, so that threadlab's figures (gil_fidelity.py) can be put
beside those of a real GIL on the same machine. Standard library only.

    python3 deploy/loadtest/gil_reference.py           # prints a table
    python3 deploy/loadtest/gil_reference.py --json    # the figures, as gil_fidelity.py --cpython reads them
"""
import argparse
import json
import multiprocessing
import statistics
import sys
import threading
import time


def burn(n):
    x = 0
    for i in range(n):
        x += i
    return x


def calibrate(seconds):
    """Loop length that takes about `seconds` on one thread."""
    n = 100_000
    while True:
        start = time.perf_counter()
        burn(n)
        took = time.perf_counter() - start
        if took > 0.05:
            return int(n * seconds / took)
        n *= 4


def in_threads(target, args_list):
    threads = [threading.Thread(target=target, args=args) for args in args_list]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def cpu_ratio(n, loops, repeats):
    ratios = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n):
            burn(loops)
        sequential = time.perf_counter() - start
        together = in_threads(burn, [(loops,)] * n)
        ratios.append(together / sequential)
    return statistics.median(ratios)


def procs_ratio(loops, repeats):
    ratios = []
    with multiprocessing.Pool(2) as pool:
        pool.map(burn, [1000, 1000])  # start the workers before timing
        for _ in range(repeats):
            start = time.perf_counter()
            burn(loops)
            burn(loops)
            sequential = time.perf_counter() - start
            start = time.perf_counter()
            pool.map(burn, [loops, loops])
            ratios.append((time.perf_counter() - start) / sequential)
    return statistics.median(ratios)


def io_ratio():
    return max(in_threads(time.sleep, [(0.2,)] * n) / 0.2 for n in range(1, 9))


def slices(interval, seconds):
    """Two CPU-bound threads note each time they find they run after the other: slice lengths and switch rate."""
    sys.setswitchinterval(interval)
    marks = []
    state = {"owner": None}
    stop = threading.Event()

    def spin(me):
        while not stop.is_set():
            if state["owner"] != me:
                state["owner"] = me
                marks.append(time.perf_counter())

    threads = [threading.Thread(target=spin, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    sys.setswitchinterval(0.005)
    lengths = [b - a for a, b in zip(marks, marks[1:])]
    return statistics.median(lengths) * 1000, len(marks) / (marks[-1] - marks[0])


def first_share(loops, repeats):
    shares = []
    for _ in range(repeats):
        finished = []

        def task():
            burn(loops)
            finished.append(time.perf_counter())

        start = time.perf_counter()
        total = in_threads(task, [()] * 4)
        shares.append((min(finished) - start) / total)
    return statistics.median(shares)


def op_latency(cpu_threads, interval, ops):
    """Median time (ms) of a ~70 us sleep in a loop, with cpu_threads CPU-bound threads beside it."""
    sys.setswitchinterval(interval)
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            pass

    spinners = [threading.Thread(target=spin) for _ in range(cpu_threads)]
    for t in spinners:
        t.start()
    time.sleep(0.05)
    latencies = []
    for _ in range(ops):
        start = time.perf_counter()
        time.sleep(0.00007)
        latencies.append(time.perf_counter() - start)
    stop.set()
    for t in spinners:
        t.join()
    sys.setswitchinterval(0.005)
    return statistics.median(latencies) * 1000


def measure(quick):
    repeats = 1 if quick else 3
    loops = calibrate(0.03 if quick else 0.2)
    ops = 20 if quick else 200
    rows = {f"cpu{n}": f"{cpu_ratio(n, loops, repeats):.3f} x" for n in (2, 4, 8)}
    rows["procs2"] = f"{procs_ratio(loops, repeats):.3f} x"
    rows["io"] = f"one op +{(io_ratio() - 1) * 100:.1f} %"
    for key, interval in (("slice5", 0.005), ("slice1", 0.001)):
        median_slice, rate = slices(interval, 0.5 if quick else 3)
        rows[key] = f"{median_slice:.2f} ms, {rate:.0f} /s"
    rows["first"] = f"{first_share(loops, repeats):.2f}"
    alone = op_latency(0, 0.005, ops)
    rows["convoy1"] = f"{alone * 1000:.0f} us -> {op_latency(1, 0.005, ops):.2f} ms"
    rows["convoy2"] = f"{op_latency(2, 0.005, ops):.2f} ms"
    rows["convoy1ms"] = f"{op_latency(1, 0.001, ops):.2f} ms"
    rows["overhead"] = "-"
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rows = measure(args.quick)
    if args.json:
        print(json.dumps(rows))
    else:
        print(f"CPython {sys.version.split()[0]} GIL experiments")
        for key, value in rows.items():
            print(f"  {key:10} {value}")


if __name__ == "__main__":
    main()
