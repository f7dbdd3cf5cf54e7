#!/usr/bin/env python3
"""Trains a JDK AOT cache for the packaged service (Project Leyden: JEP 483 class loading and linking, JEP 515
method profiles), so that it starts in about a third of the time. Needs a JDK 25+ and the aot-jar packaging the
build produces (every class loaded by the JDK's own loaders, which the cache can hold). Standard library only.

    ./mvnw package -DskipTests && python3 deploy/loadtest/aot_cache.py [path of quarkus-run.jar]
    java -XX:AOTCache=target/quarkus-app/app.aot -jar target/quarkus-app/quarkus-run.jar

The training run starts the jar with -XX:AOTCacheOutput, exercises every endpoint family once (jobs of every
workload and pool kind, waits, joins, cancels, experiments, pools, stats, metrics, health, OpenAPI, error answers),
then puts the hot paths under real load for LOAD_SECONDS (tens of thousands of async submits, submit-and-waits,
submit-then-joins and gets, by wrk where it is installed, else by Python threads), and stops it; the JVM writes the
cache as it exits, with the classes of every path and the method profiles (JEP 515) of the hot ones, so that the
JIT of a run started from the cache compiles the request paths at once instead of after seconds of profiling. A cache only fits the JDK build and the jar it was trained
with: a rebuild deletes it (the build clears target/quarkus-app), and a cache that is missing or does not fit makes
the JVM print a few [aot] error lines and start without it.
"""
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from threadlab_service import JAR, Service, find_java, java_major

AOT_CACHE = os.path.join(os.path.dirname(JAR), "app.aot")
SIGTERM_EXIT = 143  # how the service exits on SIGTERM, after its orderly shutdown
TRAINING_TOKEN = "aot-training"  # admin operations are disabled without a token; the training run enables them
HERE = os.path.dirname(os.path.abspath(__file__))
TRIVIAL_JOB = '{"workload":"cpu","params":{"iterations":1}}'
# seconds of load on the hot paths, in total (THREADLAB_AOT_LOAD_SECONDS overrides; 0 trains on the single pass only)
LOAD_SECONDS = float(os.environ.get("THREADLAB_AOT_LOAD_SECONDS", "24"))


def exercise(svc):
    """One pass over what clients do, so the classes and methods of every path are in the cache."""
    for workload, pool, params in (("cpu", "cpu", {"iterations": 1000}), ("io", "io", {"durationMs": 5}),
                                   ("file", "io", {}), ("mixed", "gil", {}), ("counter", "procs", {"increments": 10_000})):
        svc.job(workload, pool, 2, params)
    job = svc.request("POST", "/jobs", {"workload": "io", "params": {"durationMs": 10_000}})[2]
    svc.get(f"/jobs/{job['id']}")
    svc.request("GET", f"/jobs/{job['id']}/join?timeout=10ms")
    svc.request("POST", "/jobs/wait", {"ids": [job["id"]], "mode": "ANY", "timeout": "10ms"})
    svc.cancel(job["id"])
    svc.get("/jobs?state=CANCELLED&limit=5")
    experiment = svc.request("POST", "/experiments", {"workload": "cpu", "params": {"iterations": 1000},
                                                      "pools": ["cpu", "gil"], "tasks": [1, 2], "repeats": 1})[2]
    svc.request("GET", f"/experiments/{experiment['id']}/join?timeout=30s")
    for path in ("/experiments/presets", f"/experiments/{experiment['id']}", "/pools", "/pools/gil", "/workloads",
                 "/stats", "/q/health"):
        svc.get(path)
    for path in (f"/experiments/{experiment['id']}?format=csv", f"/experiments/{experiment['id']}/chart.svg",
                 "/q/metrics", "/q/openapi"):
        with urllib.request.urlopen(svc.base + path, timeout=60) as response:  # CSV, SVG, Prometheus text, YAML
            response.read()
    svc.request("PATCH", "/pools/gil", {"switchInterval": "5ms"}, headers={"Authorization": f"Bearer {TRAINING_TOKEN}"})
    svc.request("POST", "/jobs", {"workload": "nope"})  # a 400 problem
    svc.request("GET", "/jobs/ab12-aaaaaaaaaaaaaaaa")  # a 404 problem


def load(svc, seconds):
    """The hot paths under load, `seconds` in all: async submit, submit-and-wait, submit then join, get of a job.
    Returns the number of requests sent."""
    if seconds <= 0:
        return 0
    job_id = svc.request("POST", "/jobs?wait=10s", {"workload": "cpu", "params": {"iterations": 1}})[2]["id"]
    phases = (  # (share of the time, method, path, body, wrk script and its arguments)
        (0.4, "POST", "/jobs", TRIVIAL_JOB, "submit.lua", ("cpu", "1")),
        (0.25, "POST", "/jobs?wait=10s", TRIVIAL_JOB, "submit_wait.lua", ("10s", TRIVIAL_JOB)),
        (0.2, "JOIN", "/jobs", TRIVIAL_JOB, "submit_join.lua", (TRIVIAL_JOB, "10s")),
        (0.15, "GET", f"/jobs/{job_id}", None, None, ()),
    )
    sent = 0
    for share, method, path, body, script, args in phases:
        if shutil.which("wrk"):
            sent += wrk(svc.base, share * seconds, method, path, script, args)
        else:
            sent += python_load(svc.port, share * seconds, method, path, body)
    return sent


def wrk(base, seconds, method, path, script, args):
    folder = None
    if script is None:  # a fixed GET
        folder = tempfile.mkdtemp()
        script = os.path.join(folder, "get.lua")
        with open(script, "w") as f:
            f.write(f'wrk.method = "{method}"\nwrk.path = "{path}"\n')
    else:
        script = os.path.join(HERE, script)
    try:
        out = subprocess.run(["wrk", "-t2", "-c32", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", script,
                              base, "--", *args], capture_output=True, text=True, check=True).stdout
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return int(out.split(" requests in")[0].split()[-1])


def python_load(port, seconds, method, path, body, threads=8):
    """Where wrk is missing: `threads` keep-alive connections sending the same request for `seconds`."""
    counts = [0] * threads
    deadline = time.monotonic() + seconds

    def run(index):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json"}
        while time.monotonic() < deadline:
            if method == "JOIN":
                connection.request("POST", "/jobs", body, headers)
                response = connection.getresponse()
                answer = response.read()
                if response.status == 202:
                    job = answer.split(b'"id":"', 1)[1].split(b'"', 1)[0].decode()
                    connection.request("GET", f"/jobs/{job}/join?timeout=10s")
                    connection.getresponse().read()
                    counts[index] += 1
            else:
                connection.request(method, path, body, headers if body else {})
                connection.getresponse().read()
            counts[index] += 1
        connection.close()
    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts)


def train(java, jar=JAR):
    """Writes a fresh cache for `java` and `jar` (app.aot beside it); returns its path, or None where the JDK is older
    than 25. The jar must later run from the same path, and the cache with the same JDK build."""
    if java_major(java) < 25:
        return None
    cache = os.path.join(os.path.dirname(jar), "app.aot")
    if os.path.exists(cache):
        os.remove(cache)
    svc = Service(java=java, jar=jar, jvm=(f"-XX:AOTCacheOutput={cache}",),
                  props=(f"-Dthreadlab.admin.token={TRAINING_TOKEN}",))
    try:
        exercise(svc)
        train.requests = load(svc, LOAD_SECONDS)
    finally:
        svc.stop(timeout=180)  # the JVM assembles the cache as it exits
    if svc.process.returncode not in (0, SIGTERM_EXIT) or not os.path.exists(cache):
        sys.exit(f"no AOT cache was written (the training run exited with {svc.process.returncode})")
    return cache


train.requests = 0


def main():
    jar = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else JAR  # the image build passes /deployments/quarkus-run.jar
    java = find_java()
    started = time.perf_counter()
    cache = train(java, jar)
    if cache is None:
        sys.exit(f"{java} is older than JDK 25, which one-step AOT cache training needs; the service runs without it")
    print(f"wrote {cache} ({os.path.getsize(cache) / 2**20:.0f} MiB) in {time.perf_counter() - started:.0f} s, "
          f"{train.requests:,} requests under load; start with: java -XX:AOTCache={cache} -jar {jar}")


if __name__ == "__main__":
    main()
