#!/usr/bin/env python3
"""threadlab's own performance benchmark: is the service fast enough never to distort what it measures?
Measures the packaged service on loopback, each figure as a ratio within one run so machine noise cancels, and
prints one table against the targets. Needs wrk (Debian: apt-get install wrk). Standard library otherwise.

    python3 deploy/loadtest/bench.py          # the full table (about 2 minutes)
    python3 deploy/loadtest/bench.py --quick  # smaller figures, only checks that every step works
"""
import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))

import aot_cache  # noqa: E402
from threadlab_service import JAR, Service, find_java  # noqa: E402


# The service runs as the README starts it, with the JVM's defaults, except for the RSS figure: there G1 gives
# back heap it no longer needs, so that RSS shows what the service keeps, not what it once needed. (That smaller
# heap means more frequent young collections, each copying the retained jobs: it would cost the throughput
# figures about a microsecond per job.)
RSS_JVM = ("-Xmx1g", "-XX:G1PeriodicGCInterval=1000", "-XX:MaxHeapFreeRatio=30", "-XX:MinHeapFreeRatio=10")


def wrk(base, seconds, connections, path="/", script=None, args=(), threads=2):
    """Requests per second and non-2xx count of one wrk run."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "60s"]
    if script:
        command += ["-s", os.path.join(HERE, script)]
    command.append(base + path)
    if args:
        command += ["--", *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, total, int(bad.group(1)) if bad else 0


def throughput(svc, rounds, seconds):
    """Trivial submit-and-wait and async submit against the health endpoint, same connections, in interleaved
    rounds: each round's ratios compare measurements seconds apart, so the machine's swings (large on shared
    machines) cancel; the medians over the rounds are reported."""
    health, wait, submit, wait_ratios, submit_ratios, bad = [], [], [], [], [], 0
    for _ in range(rounds):
        h, _, _ = wrk(svc.base, seconds, 32, "/q/health/live")
        w, _, w_bad = wrk(svc.base, seconds, 32, script="submit_wait.lua",
                          args=("10s", '{"workload":"cpu","params":{"iterations":1}}'))
        a, _, a_bad = wrk(svc.base, seconds, 32, script="submit.lua", args=("cpu", "1"))
        h2, _, _ = wrk(svc.base, seconds, 32, "/q/health/live")
        reference = (h + h2) / 2  # health before and after, so a drift during the round is averaged out
        health.append(reference)
        wait.append(w)
        submit.append(a)
        wait_ratios.append(w / reference)
        submit_ratios.append(a / reference)
        bad += w_bad + a_bad
    median = lambda values: sorted(values)[len(values) // 2]
    return median(health), median(wait), median(submit), median(wait_ratios), median(submit_ratios), bad


def cpu_speedup(svc, iterations):
    """Wall of 2 tasks vs 1 task of the same size, alternated; the fastest of each, since a shared machine's noise
    only ever adds time."""
    walls = {1: [], 2: []}
    for _ in range(5):
        for tasks in (1, 2):
            job = svc.request("POST", "/jobs?wait=60s", {"workload": "cpu", "pool": "cpu", "tasks": tasks,
                                                         "params": {"iterations": iterations}})[2]
            walls[tasks].append(job["timings"]["wallMs"])
    return 2 * min(walls[1]) / min(walls[2])


def many_io(svc, total, seconds):
    """total io tasks of `seconds` each at once on the virtual pool: wall from the first submission to the last task
    end, as the service timed them, and the peak of live platform threads. Jobs hold at most 256 tasks, so the
    tasks come as several jobs, each on its own connection, all sent before any answer is read: how long a Python
    client takes to send 40 requests one after another is not the service's figure."""
    per_job = 250
    before = svc.proc()[1]
    body = json.dumps({"workload": "io", "tasks": per_job, "params": {"durationMs": int(seconds * 1000)}})
    connections = [http.client.HTTPConnection("127.0.0.1", svc.port, timeout=60) for _ in range(total // per_job)]
    for connection in connections:
        connection.connect()
    for connection in connections:
        connection.request("POST", "/jobs", body, {"Content-Type": "application/json"})
    ids = []
    for connection in connections:
        response = connection.getresponse()
        job = json.loads(response.read())
        assert response.status == 202, job
        ids.append(job["id"])
        connection.close()
    peak = 0
    while True:
        peak = max(peak, svc.proc()[1])
        result = svc.request("POST", "/jobs/wait", {"ids": ids, "mode": "ALL", "timeout": "100ms"})[2]
        if not result["notDone"]:
            break
    jobs = result["done"]
    assert all(j["state"] == "SUCCEEDED" for j in jobs), "every io job succeeds"
    wall = instant(max(j["finishedAt"] for j in jobs)) - instant(min(j["submittedAt"] for j in jobs))
    return wall, peak, before


def instant(iso):
    """Seconds since the epoch of one of the service's ISO-8601 UTC timestamps."""
    date, fraction = iso.rstrip("Z").split(".") if "." in iso else (iso.rstrip("Z"), "0")
    return datetime.fromisoformat(date).replace(tzinfo=timezone.utc).timestamp() + float("0." + fraction)


def long_polls(svc, count):
    """count concurrent join long-polls on a running job: platform threads added, all answered."""
    job = svc.request("POST", "/jobs", {"workload": "io", "params": {"durationMs": 60_000}})[2]
    before = svc.proc()[1]
    script = os.path.join(tempfile.mkdtemp(), "join.lua")
    with open(script, "w") as f:
        f.write('request = function() return wrk.format("GET", "/jobs/%s/join?timeout=4s") end\n' % job["id"])
    process = subprocess.Popen(["wrk", "-t2", f"-c{count}", "-d6s", "--timeout", "30s", "-s", script, svc.base],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak_threads, peak_waiters = 0, 0
    while process.poll() is None:
        stats = svc.get("/stats")
        peak_waiters = max(peak_waiters, stats["joinWaiters"])
        peak_threads = max(peak_threads, svc.proc()[1])
        time.sleep(0.2)
    out = process.stdout.read()
    answered = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = sum(int(g) for g in errors.groups()) if errors else 0
    svc.request("DELETE", f"/jobs/{job['id']}")
    shutil.rmtree(os.path.dirname(script), ignore_errors=True)
    return peak_threads - before, peak_waiters, answered, failed


def retention(svc, first, total):
    """RSS after `total` finished jobs vs after `first` (retention keeps at most 10,000 finished jobs)."""
    def submit_until(count):
        done = svc.get("/stats")["jobs"]["submitted"]
        while done < count:
            wrk(svc.base, 2, 32, script="submit.lua", args=("cpu", "1"))
            done = svc.get("/stats")["jobs"]["submitted"]
        while svc.get("/stats")["jobs"]["inFlight"] > 0:
            time.sleep(0.2)
        time.sleep(8)  # let G1 settle and give memory back
        return done, svc.proc()[0]
    at_first, rss_first = submit_until(first)
    at_total, rss_total = submit_until(total)
    return at_first, rss_first, at_total, rss_total


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    if not os.path.exists(JAR):
        sys.exit(f"{JAR} missing: run ./mvnw package -DskipTests first")
    quick = args.quick
    rows = []

    def row(name, shown, target, ok):
        """ok None: shown for comparison, no target."""
        rows.append((name, shown, target, "info" if ok is None else "ok" if ok else "MISS"))

    # start-up with and without the AOT cache (JDK 25+), in alternation so that both see the same machine
    cache = aot_cache.train(find_java())
    variants = {"plain": ()} | ({"aot": (f"-XX:AOTCache={cache}",)} if cache else {})
    readies = {name: [] for name in variants}
    for _ in range(1 if quick else 3):
        for name, flags in variants.items():
            svc = Service(jvm=flags)
            readies[name].append(svc.ready_seconds)
            svc.stop()
    ready = {name: sorted(values)[len(values) // 2] for name, values in readies.items()}

    svc = Service()
    try:
        # Warm-up: the JIT takes 10-15 s of load to settle the submit paths (the health route, 1-2 s); the
        # figures compare steady states.
        for path, script, script_args in (("/", "submit_wait.lua", ()), ("/", "submit.lua", ("cpu", "1")),
                                          ("/q/health/live", None, ())):
            wrk(svc.base, 2 if quick else 6, 32, path, script, script_args)
        rounds = 1 if quick else 5
        health, wait, submit, wait_ratio, submit_ratio, bad = throughput(svc, rounds, 2 if quick else 3)
        row("submit-and-wait (cpu, 1 iteration) vs GET /q/health/live",
            f"{wait:.0f} vs {health:.0f} req/s, median ratio of {rounds} rounds {wait_ratio:.2f} x", ">= 0.6 x",
            wait_ratio >= 0.6 and bad == 0)
        row("async submit (POST /jobs) vs GET /q/health/live",
            f"{submit:.0f} vs {health:.0f} req/s, median ratio of {rounds} rounds {submit_ratio:.2f} x", ">= 0.7 x",
            submit_ratio >= 0.7 and bad == 0)
        speedup = cpu_speedup(svc, 20_000_000 if quick else 100_000_000)
        row("cpu pool, 2 tasks vs 1 task of the same size", f"speedup {speedup:.2f}", ">= 1.85 (limit 2.0)", speedup >= 1.85)
        total = 1000 if quick else 10_000
        wall, peak, before = many_io(svc, total, 1.0)
        row(f"{total:,} concurrent io tasks of 1 s (virtual pool)", f"wall {wall:.2f} s, live threads {peak} (idle {before})",
            "<= 1.3 s, < 100 threads", wall <= 1.3 and peak < 100)
        polls = 1000 if quick else 10_000
        added, waiters, answered, failed = long_polls(svc, polls)
        row(f"{polls:,} concurrent join long-polls", f"threads added {added}, {waiters} waiting at peak, {answered} answered, {failed} socket errors",
            "< 20 threads added, all answered", added < 20 and waiters >= polls * 0.9 and failed == 0)
    finally:
        svc.stop()
    svc = Service(jvm=RSS_JVM)  # a fresh instance, so the job counts start at zero
    try:
        first, total_jobs = (2000, 20_000) if quick else (20_000, 200_000)
        at_first, rss_first, at_total, rss_total = retention(svc, first, total_jobs)
        row(f"RSS after {total_jobs:,} finished jobs vs after {first:,}",
            f"{rss_total / 2**20:.0f} vs {rss_first / 2**20:.0f} MiB = {rss_total / rss_first:.2f} x ({at_total:,} / {at_first:,} jobs)",
            "<= 1.2 x", rss_total / rss_first <= 1.2)
    finally:
        svc.stop()
    if cache:
        row("JVM start to ready, with the AOT cache (aot_cache.py)", f"{ready['aot']:.2f} s", "<= 1.5 s",
            ready["aot"] <= 1.5)
        row("JVM start to ready, without it", f"{ready['plain']:.2f} s", "", None)
    else:
        row("JVM start to ready (no AOT cache: JDK < 25)", f"{ready['plain']:.2f} s", "<= 1.5 s", ready["plain"] <= 1.5)

    widths = [max(len(r[i]) for r in rows + [("figure", "measured", "target", "")]) for i in range(4)]
    print(f"threadlab benchmark, {os.cpu_count()} cores, loopback" + (" (quick: indicative only)" if quick else ""))
    print("| " + " | ".join(h.ljust(w) for h, w in zip(("figure", "measured", "target", ""), widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
    sys.exit(0 if quick or all(r[3] != "MISS" for r in rows) else 1)


if __name__ == "__main__":
    main()
