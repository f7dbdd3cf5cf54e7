"""The benchmark's cluster rows (bench.py calls them): what threadlab.store=redis costs beside the memory store, and
how soon a join waiting on one instance answers after the job ends on another. A redis-server from the system's
package (Debian: apt-get install redis-server) runs on a free loopback port, without persistence, for the run; the
instances and Redis share the machine's cores as they are. Standard library only.
"""
import http.client
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime

from threadlab_service import Service, free_port


class Redis:
    """redis-server on a free loopback port, empty and without persistence, until stop()."""

    def __init__(self):
        server = shutil.which("redis-server")
        if not server:
            raise SystemExit("redis-server not found: apt-get install redis-server")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="threadlab-bench-redis-")
        self.process = subprocess.Popen([server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", self.dir],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise SystemExit("redis-server did not start")

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def stop(self):
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def instance(redis, name):
    return Service(props=("-Dthreadlab.store=redis", f"-Dquarkus.redis.hosts={redis.url}",
                          f"-Dthreadlab.instance-id={name}"))


def parse_instant(text):
    """Epoch seconds of an ISO-8601 instant with up to nanoseconds (fromisoformat takes microseconds)."""
    head, _, frac = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(head + "+00:00").timestamp() + (float("0." + frac) if frac else 0.0)


def join_latencies(owner, watcher, samples, workers=16, job_ms=300):
    """For each sample: a job of one io task on `owner`, a join on `watcher` begun at once; the time from the job's
    finishedAt (owner's clock) to the join's answer arriving here (the same machine's clock), in ms."""
    latencies = []
    errors = []
    lock = threading.Lock()
    per_worker = samples // workers

    def work():
        submit = http.client.HTTPConnection("127.0.0.1", owner.port, timeout=30)
        join = http.client.HTTPConnection("127.0.0.1", watcher.port, timeout=30)
        body = json.dumps({"workload": "io", "params": {"durationMs": job_ms}})
        for _ in range(per_worker):
            try:
                submit.request("POST", "/jobs", body, {"Content-Type": "application/json"})
                accepted = submit.getresponse()
                job_id = json.loads(accepted.read())["id"]
                join.request("GET", f"/jobs/{job_id}/join?timeout=10s")
                answer = join.getresponse()
                payload = answer.read()
                arrived = time.time()
                job = json.loads(payload)
                if answer.status != 200 or job.get("state") != "SUCCEEDED":
                    raise RuntimeError(f"join answered {answer.status}: {payload[:200]!r}")
                with lock:
                    latencies.append((arrived - parse_instant(job["finishedAt"])) * 1000)
            except Exception as e:  # counted and shown: the row fails on any
                with lock:
                    errors.append(str(e))

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(latencies), errors


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))]


def rows(row, measured, warm_submit, smoke):
    """Adds the cluster rows through `row` (bench.py's). `measured(svc, seconds, script=, args=)` and
    `warm_submit(svc, seconds)` are bench.py's, so both stores are measured exactly as the memory rows are. The smoke run
    (CI) gates only that nothing fails and reports the figures: its shorter rounds on a shared machine are too noisy
    for these targets, which the full run holds."""
    redis = Redis()
    services = []
    try:
        memory = Service()
        services.append(memory)
        a = instance(redis, "ba")
        services.append(a)
        b = instance(redis, "bb")
        services.append(b)
        for svc in (memory, a):
            warm_submit(svc, 10 if smoke else 30)  # C2 needs tens of seconds of load on two cores
        rounds = 5
        seconds = 2 if smoke else 3
        ratios, mem_rates, redis_rates, bad = [], [], [], 0
        for _ in range(rounds):
            m = measured(memory, seconds, script="submit.lua", args=("cpu", "1"))
            r = measured(a, seconds, script="submit.lua", args=("cpu", "1"))
            ratios.append(r[0] / m[0])
            mem_rates.append(m[0])
            redis_rates.append(r[0])
            bad += m[2] + r[2]
        ratio = statistics.median(ratios)
        row("async submit, threadlab.store=redis vs memory",
            f"{statistics.median(redis_rates):.0f} vs {statistics.median(mem_rates):.0f} req/s, "
            f"median ratio of {rounds} rounds {ratio:.2f} x, {bad} errors",
            "no error (>= 0.5 x in the full run)" if smoke else ">= 0.5 x, no error",
            bad == 0 and (smoke or ratio >= 0.5))
        memory.stop()
        join_latencies(a, b, 160 if smoke else 800)  # warm-up: the join paths of both instances compiled
        latencies, errors = join_latencies(a, b, 160 if smoke else 800)
        if latencies:
            p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
            row("a job's end on one instance to the answer of a join on another",
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms over {len(latencies)} joins, "
                f"{len(errors)} errors", "no error (p99 <= 5 ms in the full run)" if smoke else "p99 <= 5 ms, no error",
                not errors and (smoke or p99 <= 5.0))
            if errors:
                print("join errors, first three:", errors[:3], file=sys.stderr)
        else:
            row("a job's end on one instance to the answer of a join on another", f"no join answered: {errors[:3]}",
                "p99 <= 5 ms, no error", False)
    finally:
        for svc in services:
            svc.stop()
        redis.stop()
