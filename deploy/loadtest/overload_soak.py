#!/usr/bin/env python3
"""Overload and soak checks against the packaged service on loopback, bounded in time. Standard library only.

    python3 deploy/loadtest/overload_soak.py overload [--seconds 60]   # offer 5x what the pools can take
    python3 deploy/loadtest/overload_soak.py soak [--seconds 600]      # mixed load with cancels, timeouts, failures

It starts its own instance (./mvnw package -DskipTests first) on a free loopback port with small pools, so
capacity is known:
`cpu` 2 threads + 20 queued, `io` 100 concurrent + 100 queued. A job is 1 task of ~20 ms.

overload: an open-model load (requests sent on a schedule, not when the last one answered) at 5x the
sustainable rate. Passes when every answer is 202 or a 503 problem with Retry-After, every accepted job ends,
p99 of accepted submits stays bounded, and threads and RSS return to their baseline afterwards.

soak: mixed load below capacity, including cancels, deadlines and failProbability failures, sampled every 5 s.
Passes when submitted = finished + in flight at every sample, RSS stays within +-15 % after warm-up, and thread
and file-descriptor counts do not grow.
"""
import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.error
from concurrent.futures import ThreadPoolExecutor

from threadlab_service import Service  # noqa: E402

CPU_JOB_ITERATIONS = 3_600_000  # ~20 ms at ~5.5 ns per iteration
SUSTAINABLE_PER_SECOND = 2 * 1000 / 20  # 2 cpu threads, 20 ms jobs
REQUEST_TIMEOUT = 30  # seconds; an answer slower than that is a failure of the run


def start_service():
    """Small pools, so capacity is known; small retention, so the warm-up fills it; heap G1 gives back when idle."""
    return Service(props=("-Dthreadlab.jobs.max-retained=2000",
                          "-Dthreadlab.pools.cpu.threads=2", "-Dthreadlab.pools.cpu.queue-capacity=20",
                          "-Dthreadlab.pools.io.max-concurrency=100", "-Dthreadlab.pools.io.queue-capacity=100"),
                   jvm=("-Xmx512m", "-XX:G1PeriodicGCInterval=1000", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30"))


class Tally:
    """Counts answers and submit latencies; thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = {}
        self.errors = []
        self.accepted_latencies = []

    def record(self, status, headers, body, latency):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status in (200, 202):
                self.accepted_latencies.append(latency)
            elif status == 503 and headers.get("Retry-After") and body and body.get("type", "").endswith(("pool-saturated", "shutting-down")):
                pass
            elif len(self.errors) < 5:
                self.errors.append(f"{status} {body}")


def submit(svc, tally, body):
    started = time.perf_counter()
    try:
        status, headers, answer = svc.request("POST", "/jobs", body, timeout=REQUEST_TIMEOUT)
    except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
        status, headers, answer = 0, {}, {"error": str(e)}
    tally.record(status, headers, answer, time.perf_counter() - started)
    return status, answer


def open_model(svc, rate, seconds, make_body, tally, workers=64):
    """Sends rate requests per second on a fixed schedule for `seconds`, whatever the answers take."""
    with ThreadPoolExecutor(workers) as pool:
        start = time.perf_counter()
        n = 0
        while True:
            due = start + n / rate
            now = time.perf_counter()
            if now - start >= seconds:
                break
            if due > now:
                time.sleep(due - now)
            pool.submit(submit, svc, tally, make_body(n))
            n += 1
    return n


def wait_for_drain(svc, seconds=120):
    deadline = time.time() + seconds
    stats = None
    while time.time() < deadline:
        stats = svc.get("/stats")
        if stats["jobs"]["inFlight"] == 0:
            return stats
        time.sleep(0.5)
    return stats


def overload(args, svc):
    rows = []
    ok = True
    # warm-up: JIT, pools and a full retention store (2,000 finished jobs), so the baseline is a steady state
    warm = Tally()
    open_model(svc, 300, 10, lambda n: {"workload": "io", "params": {"durationMs": 1}}, warm)
    wait_for_drain(svc)
    time.sleep(15)
    base_rss, base_threads, base_fds = svc.proc()
    tally = Tally()
    rate = 5 * SUSTAINABLE_PER_SECOND
    mix = [{"workload": "cpu", "params": {"iterations": CPU_JOB_ITERATIONS}},
           {"workload": "cpu", "params": {"iterations": CPU_JOB_ITERATIONS}},
           {"workload": "mixed", "pool": "cpu", "params": {"rounds": 2, "cpuIterations": CPU_JOB_ITERATIONS // 2, "ioMs": 5}},
           {"workload": "io", "params": {"durationMs": 200}}]
    sent = open_model(svc, rate, args.seconds, lambda n: mix[n % len(mix)], tally)
    stats = wait_for_drain(svc)
    time.sleep(15)  # let G1's periodic collection give memory back
    rss, threads, fds = svc.proc()
    accepted = sorted(tally.accepted_latencies)
    p99 = accepted[int(len(accepted) * 0.99) - 1] * 1000 if accepted else 0
    rows.append(("offered", f"{rate:.0f} jobs/s for {args.seconds} s ({sent} requests), 5x the sustainable {SUSTAINABLE_PER_SECOND:.0f}/s", True))
    rows.append(("answers", json.dumps(dict(sorted(tally.statuses.items()))), not tally.errors))
    rows.append(("other errors", "; ".join(tally.errors) or "none", not tally.errors))
    rows.append(("accepted submits p99", f"{p99:.1f} ms (bound 500 ms)", p99 <= 500))
    rows.append(("every accepted job terminal", f"in flight after drain: {stats['jobs']['inFlight']}, balanced: {stats['balanced']}",
                 stats["jobs"]["inFlight"] == 0 and stats["balanced"]))
    rows.append(("threads before / after", f"{base_threads} / {threads}", threads <= base_threads * 1.1 + 2))
    rows.append(("RSS before / after", f"{base_rss / 2**20:.0f} / {rss / 2**20:.0f} MiB (bound +30 %)", rss <= base_rss * 1.3))
    rows.append(("file descriptors before / after", f"{base_fds} / {fds}", fds <= base_fds + 5))
    return rows


def soak(args, svc):
    tally = Tally()
    samples = []
    stop = threading.Event()
    rng = random.Random(7)

    def load():
        mix = [{"workload": "cpu", "params": {"iterations": CPU_JOB_ITERATIONS}},
               {"workload": "io", "tasks": 4, "params": {"durationMs": 100, "chunks": 4}},
               {"workload": "file", "params": {"bytes": 1 << 20}},
               {"workload": "counter", "pool": "gil", "tasks": 2, "params": {"increments": 100_000, "sync": "lock"}},
               {"workload": "cpu", "params": {"iterations": 1000, "failProbability": 0.5}},
               {"workload": "io", "params": {"durationMs": 2000}, "timeoutMs": 100}]
        while not stop.is_set():
            status, job = submit(svc, tally, rng.choice(mix))
            if status == 202 and rng.random() < 0.1:
                svc.request("DELETE", f"/jobs/{job['id']}", timeout=REQUEST_TIMEOUT)
            time.sleep(0.01)

    threads = [threading.Thread(target=load, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    start = time.time()
    unbalanced = 0
    while time.time() - start < args.seconds:
        time.sleep(5)
        stats = svc.get("/stats")
        unbalanced += 0 if stats["balanced"] else 1
        samples.append((time.time() - start, *svc.proc()))
    stop.set()
    for t in threads:
        t.join(30)
    stats = wait_for_drain(svc)
    after_warmup = [s for s in samples if s[0] >= min(60, args.seconds / 4)]
    rss = [s[1] for s in after_warmup]
    thread_counts = [s[2] for s in after_warmup]
    fds = [s[3] for s in after_warmup]
    median_rss = statistics.median(rss)
    rss_ok = all(abs(r - median_rss) <= 0.15 * median_rss for r in rss)
    return [
        ("load", f"{args.seconds} s, {sum(tally.statuses.values())} requests, answers {json.dumps(dict(sorted(tally.statuses.items())))}", not tally.errors),
        ("other errors", "; ".join(tally.errors) or "none", not tally.errors),
        ("invariant at every sample", f"{len(samples) - unbalanced} of {len(samples)} samples balanced", unbalanced == 0),
        ("every accepted job terminal", f"in flight after drain: {stats['jobs']['inFlight']}", stats["jobs"]["inFlight"] == 0),
        ("RSS after warm-up", f"{min(rss) / 2**20:.0f}-{max(rss) / 2**20:.0f} MiB, median {median_rss / 2**20:.0f} (+-15 %)", rss_ok),
        ("threads after warm-up", f"{min(thread_counts)}-{max(thread_counts)}", max(thread_counts) <= min(thread_counts) + 10),
        ("file descriptors after warm-up", f"{min(fds)}-{max(fds)}", max(fds) <= min(fds) + 10),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["overload", "soak"])
    parser.add_argument("--seconds", type=int)
    args = parser.parse_args()
    args.seconds = args.seconds or (60 if args.mode == "overload" else 600)
    svc = start_service()
    try:
        rows = (overload if args.mode == "overload" else soak)(args, svc)
    finally:
        svc.stop()
    width = max(len(r[0]) for r in rows)
    print(f"{args.mode}, {os.cpu_count()} cores, loopback")
    for name, value, ok in rows:
        print(f"  {'ok  ' if ok else 'FAIL'}  {name.ljust(width)}  {value}")
    sys.exit(0 if all(r[2] for r in rows) else 1)


if __name__ == "__main__":
    main()
