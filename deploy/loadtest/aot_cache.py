#!/usr/bin/env python3
"""Trains a JDK AOT cache for the packaged service (Project Leyden: JEP 483 class loading and linking, JEP 515
method profiles), so that it starts in about a third of the time. Needs a JDK 25+ and the aot-jar packaging the
build produces (every class loaded by the JDK's own loaders, which the cache can hold). Standard library only.

    ./mvnw package -DskipTests && python3 deploy/loadtest/aot_cache.py
    java -XX:AOTCache=target/quarkus-app/app.aot -jar target/quarkus-app/quarkus-run.jar

The training run starts the jar with -XX:AOTCacheOutput, exercises every endpoint family once (jobs of every
workload and pool kind, waits, joins, cancels, experiments, pools, stats, metrics, health, OpenAPI, error answers)
and stops it; the JVM writes the cache as it exits. A cache only fits the JDK build and the jar it was trained
with: a rebuild deletes it (the build clears target/quarkus-app), and a cache that is missing or does not fit makes
the JVM print a few [aot] error lines and start without it.
"""
import os
import sys
import time
import urllib.request

from threadlab_service import JAR, Service, find_java, java_major

AOT_CACHE = os.path.join(os.path.dirname(JAR), "app.aot")
SIGTERM_EXIT = 143  # how the service exits on SIGTERM, after its orderly shutdown
TRAINING_TOKEN = "aot-training"  # admin operations are disabled without a token; the training run enables them


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


def train(java):
    """Writes a fresh cache for `java` and the current jar; returns its path, or None where the JDK is older than 25."""
    if java_major(java) < 25:
        return None
    if os.path.exists(AOT_CACHE):
        os.remove(AOT_CACHE)
    svc = Service(java=java, jvm=(f"-XX:AOTCacheOutput={AOT_CACHE}",), props=(f"-Dthreadlab.admin.token={TRAINING_TOKEN}",))
    try:
        exercise(svc)
    finally:
        svc.stop(timeout=180)  # the JVM assembles the cache as it exits
    if svc.process.returncode not in (0, SIGTERM_EXIT) or not os.path.exists(AOT_CACHE):
        sys.exit(f"no AOT cache was written (the training run exited with {svc.process.returncode})")
    return AOT_CACHE


def main():
    java = find_java()
    started = time.perf_counter()
    cache = train(java)
    if cache is None:
        sys.exit(f"{java} is older than JDK 25, which one-step AOT cache training needs; the service runs without it")
    print(f"wrote {os.path.relpath(cache)} ({os.path.getsize(cache) / 2**20:.0f} MiB) in "
          f"{time.perf_counter() - started:.0f} s; start with: "
          f"java -XX:AOTCache={os.path.relpath(cache)} -jar {os.path.relpath(JAR)}")


if __name__ == "__main__":
    main()
