#!/usr/bin/env python3
"""End-to-end check of the observability stack, on loopback only and bounded in time (about two minutes):

1. starts the packaged service (with a tiny extra pool to overload) and a real Prometheus scraping it every
   second with deploy/prometheus/alerts.yml loaded;
2. runs a mixed load on every pool: every workload, injected failures, cancels, deadlines, waiting joins, and
   an overload of the tiny pool;
3. through Prometheus' HTTP API: every expression of grafana/dashboards/threadlab.json must evaluate without
   error and return series; every alert rule must evaluate without error; the pool-saturation and rejection
   alerts must be pending or firing for the overloaded pool.

    python3 deploy/e2e/observability_e2e.py [--java /path/to/java]

Needs the packaged jar (./mvnw package) and a prometheus binary on PATH. Standard library only.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DASHBOARD = os.path.join(REPO, "grafana", "dashboards", "threadlab.json")
ALERTS = os.path.join(REPO, "deploy", "prometheus", "alerts.yml")
LOAD_SECONDS = 45

sys.path.insert(0, os.path.join(REPO, "deploy", "loadtest"))
from threadlab_service import Service, free_port  # noqa: E402
MUST_FIRE = ("ThreadlabPoolSaturated", "ThreadlabJobsRejected")


def http(method, url, body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait_until(what, check, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if check():
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"FAIL: {what} not reached in {seconds} s")


def dashboard_expressions():
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    expressions = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = (target["expr"].replace("$__rate_interval", "1m")
                    .replace("$instance", ".*").replace("$pool", ".*"))
            expressions.append((panel["title"], expr))
    return expressions


class Load:
    """The mixed load, on its own threads, until stopped."""

    def __init__(self, base):
        self.base = base
        self.stopped = threading.Event()
        self.statuses = {}
        self.lock = threading.Lock()

    def submit(self, body, query=""):
        status, job = http("POST", f"{self.base}/jobs{query}", body)
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
        return status, job

    def overload(self):
        while not self.stopped.is_set():
            self.submit({"workload": "cpu", "pool": "tiny", "params": {"iterations": 200_000_000}})
            time.sleep(0.05)

    def mixed(self):
        pools = ["cpu", "io", "gil", "procs"]
        workloads = [
            {"workload": "cpu", "params": {"iterations": 2_000_000}},
            {"workload": "io", "params": {"durationMs": 50, "chunks": 5}},
            {"workload": "file", "params": {"bytes": 65536}},
            {"workload": "mixed", "params": {"rounds": 3, "cpuIterations": 100_000, "ioMs": 5}},
            {"workload": "counter", "params": {"increments": 200_000, "sync": "none"}},
            {"workload": "counter", "params": {"increments": 100_000, "sync": "lock"}},
        ]
        while not self.stopped.is_set():
            for pool in pools:
                for spec in workloads:
                    self.submit({**spec, "pool": pool, "tasks": 2})
                self.submit({"workload": "cpu", "pool": pool, "params": {"iterations": 1000, "failProbability": 1}})
                self.submit({"workload": "io", "pool": pool, "params": {"durationMs": 5000}, "timeoutMs": 100})
                status, job = self.submit({"workload": "io", "pool": pool, "params": {"durationMs": 5000}})
                if status == 202:
                    http("GET", f"{self.base}/jobs/{job['id']}/join?timeout=200ms")
                    http("DELETE", f"{self.base}/jobs/{job['id']}")
            self.submit({"workload": "cpu", "pool": "gil", "tasks": 2, "params": {"iterations": 100_000_000}}, "?wait=2s")

    def start(self):
        self.threads = [threading.Thread(target=self.overload, daemon=True),
                        threading.Thread(target=self.mixed, daemon=True)]
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stopped.set()
        for thread in self.threads:
            thread.join(30)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--java", default=os.path.join(os.environ.get("JAVA_HOME", "/usr"), "bin", "java"))
    args = parser.parse_args()
    prometheus_binary = shutil.which("prometheus")
    if not prometheus_binary:
        raise SystemExit("FAIL: prometheus not on PATH (apt-get install prometheus)")

    work = tempfile.mkdtemp(prefix="threadlab-e2e-")
    prom_port = free_port()
    prom = f"http://127.0.0.1:{prom_port}"
    service = Service(props=("-Dthreadlab.pools.tiny.kind=platform", "-Dthreadlab.pools.tiny.threads=1",
                             "-Dthreadlab.pools.tiny.queue-capacity=4"),
                      log=os.path.join(work, "threadlab.log"), java=args.java)
    base = service.base
    processes = []
    failures = []
    try:
        with open(os.path.join(REPO, "deploy", "prometheus", "prometheus.yml")) as f:
            config = f.read()
        config = (config.replace("threadlab:8080", f"127.0.0.1:{service.port}")
                  .replace("scrape_interval: 5s", "scrape_interval: 1s")
                  .replace("evaluation_interval: 5s", "evaluation_interval: 1s"))
        with open(os.path.join(work, "prometheus.yml"), "w") as f:
            f.write(config)
        shutil.copy(ALERTS, os.path.join(work, "alerts.yml"))
        processes.append(subprocess.Popen(
            [prometheus_binary, f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/data",
             f"--web.listen-address=127.0.0.1:{prom_port}"],
            stdout=open(os.path.join(work, "prometheus.log"), "w"), stderr=subprocess.STDOUT))
        wait_until("Prometheus ready", lambda: urllib.request.urlopen(f"{prom}/-/ready", timeout=2).status == 200, 60)
        print(f"== service on {base}, Prometheus on {prom}; load for {LOAD_SECONDS} s")

        load = Load(base)
        load.start()
        time.sleep(LOAD_SECONDS)

        # Alerts are read while the overload still runs.
        def alert_states():
            _, body = http("GET", f"{prom}/api/v1/alerts")
            return {(a["labels"]["alertname"], a["labels"].get("pool")): a["state"] for a in body["data"]["alerts"]}

        try:
            wait_until("saturation and rejection alerts pending or firing for pool tiny",
                       lambda: all(alert_states().get((name, "tiny")) in ("pending", "firing") for name in MUST_FIRE), 30)
            for name in MUST_FIRE:
                print(f"ok    alert {name}{{pool=\"tiny\"}} is {alert_states()[(name, 'tiny')]}")
        except SystemExit as missing:
            failures.append(str(missing))
        load.stop()
        print(f"== load: responses by status {dict(sorted(load.statuses.items()))}")

        _, rules = http("GET", f"{prom}/api/v1/rules")
        for group in rules["data"]["groups"]:
            for rule in group["rules"]:
                if rule.get("health") != "ok" or rule.get("lastError"):
                    failures.append(f"alert rule {rule['name']}: health {rule.get('health')} {rule.get('lastError', '')}")
                else:
                    print(f"ok    alert rule {rule['name']} evaluates ({rule.get('state', '')})")

        for title, expr in dashboard_expressions():
            status, body = http("GET", f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
            if status != 200 or body.get("status") != "success":
                failures.append(f"panel '{title}': {expr}: {body.get('error') if body else status}")
            elif not body["data"]["result"]:
                failures.append(f"panel '{title}': no series for {expr}")
            else:
                print(f"ok    panel '{title}': {len(body['data']['result'])} series")

        names = set(re.findall(r"\b(?:threadlab|jvm|process|system|http_server)_[a-z_]+", open(DASHBOARD).read()))
        print(f"== {len(names)} metric names used by the dashboard")
    finally:
        service.stop()
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)

    if failures:
        print("\n".join("FAIL  " + f for f in failures))
        raise SystemExit(1)
    print("== observability end-to-end check passed")


if __name__ == "__main__":
    main()
