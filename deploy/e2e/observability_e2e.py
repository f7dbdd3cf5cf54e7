#!/usr/bin/env python3
"""End-to-end check of the observability stack, on loopback only and bounded in time (about two minutes):

1. starts the packaged service (with a tiny extra pool to overload) and a real Prometheus scraping it every
   second with deploy/prometheus/alerts.yml loaded;
2. after a few idle seconds (the baseline), runs a mixed load on every pool: every workload, injected failures,
   cancels, deadlines, waiting joins, unknown ids (404), a queue on the gil pool, and an overload of the tiny
   pool;
3. through Prometheus' HTTP API:
   - the pool-saturation and rejection alerts must be pending or firing for the overloaded pool, and the alerts
     a healthy service must never raise (instance down, unexpected 5xx, store down) must stay silent all along;
   - every alert rule must evaluate without error;
   - every expression of grafana/dashboards/threadlab.json, over the whole run: with every variable at All, then
     each variable at one concrete value (as Grafana interpolates it), must return series, none of them NaN or
     infinite, none of another value of that variable, and each must move or may stay flat as EXPECT says;
     with an instance that does not exist it must return nothing (no invented zeros).

    python3 deploy/e2e/observability_e2e.py [--java /path/to/java]

Needs the packaged jar (./mvnw package) and a prometheus binary on PATH. Standard library only.
"""
import argparse
import json
import math
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
BASELINE_SECONDS = 8
LOAD_SECONDS = 45
RATE_INTERVAL = "1m"
STEP_SECONDS = 1

sys.path.insert(0, os.path.join(REPO, "deploy", "loadtest"))
from threadlab_service import Service, free_port  # noqa: E402
MUST_FIRE = ("ThreadlabPoolSaturated", "ThreadlabJobsRejected")
# A healthy service under load, overloaded or not, never raises these: not even pending.
MUST_STAY_SILENT = ("ThreadlabInstanceDown", "ThreadlabUnexpectedServerErrors", "ThreadlabStoreDown")

# How each dashboard series must behave over the run (idle baseline, then the load), per (panel title, refId):
MOVES = "moves"  # every series takes more than one value: the load drives each of them
SOME = "some"    # at least one series moves; the others may be flat (the comment says which and why)
FLAT = "flat"    # may stay constant: configuration, a ceiling
ZERO = "zero"    # present and exactly 0 throughout: nothing may show here on a healthy service
ONE = "one"      # present and exactly 1 throughout: a health gauge that a healthy service holds up (flat, too)


def moves_but(**labels):
    """Every series moves, except those with these label values (one or a tuple of them), which may be flat."""
    return MOVES, {name: value if isinstance(value, tuple) else (value,) for name, value in labels.items()}


# A target missing here fails the check: every new panel needs a decision.
EXPECT = {
    ("Jobs per second", "A"): MOVES,
    ("Jobs per second", "B"): MOVES,
    ("Rejections per second", "A"): SOME,  # shutting_down stays 0 (no shutdown), queue_full only on tiny
    ("Error ratio (5m)", "A"): MOVES,
    ("Jobs in flight", "A"): MOVES,
    ("Join waiters", "A"): MOVES,
    ("Join waiters", "B"): FLAT,  # the configured limit
    # one instance here: its own line moves; a second would have to as well
    ("Jobs submitted per second by instance", "A"): MOVES,
    ("Jobs in flight by instance", "A"): MOVES,
    # this run uses the default memory store, which is always reachable: 1 (store="memory") and flat throughout
    ("Job store up", "A"): ONE,
    ("Job store errors per second", "A"): ZERO,  # the memory store never fails
    ("HTTP requests per second", "A"): MOVES,
    ("HTTP error ratio", "A"): ZERO,  # 5xx but 503: a healthy service has none
    ("HTTP error ratio", "B"): MOVES,  # 503 from the overloaded tiny pool
    ("HTTP error ratio", "C"): MOVES,  # the load's 404s
    ("HTTP latency mean / max", "A"): MOVES,
    ("HTTP latency mean / max", "B"): SOME,  # a max holds for Micrometer's 2-minute window: most stay put
    ("Queue time p50/p95/p99", "A"): MOVES,
    ("Queue time p50/p95/p99", "B"): MOVES,
    ("Queue time p50/p95/p99", "C"): MOVES,
    # tiny runs one job size only, so its quantiles may sit still in one bucket
    ("Run time p50/p95/p99", "A"): moves_but(pool="tiny"),
    ("Run time p50/p95/p99", "B"): moves_but(pool="tiny"),
    ("Run time p50/p95/p99", "C"): moves_but(pool="tiny"),
    ("Run time heatmap", "A"): SOME,  # the smallest buckets (100 µs) may never count a job
    ("Utilisation (active / capacity)", "A"): MOVES,
    ("Queue depth vs capacity", "A"): SOME,  # tiny's queue fills; the others may never queue
    ("Queue depth vs capacity", "B"): FLAT,  # configured capacities
    ("Threads", "A"): SOME,  # platform and gil pools have fixed threads; the virtual io pool moves
    ("GIL held ratio", "A"): MOVES,
    ("GIL wait ratio", "A"): MOVES,
    ("GIL switches per second", "A"): MOVES,
    ("Forced share of releases", "A"): MOVES,
    ("GIL acquire latency p99", "A"): MOVES,
    ("Probe lag p99", "A"): MOVES,
    ("Threads waiting for the GIL", "A"): moves_but(pool="procs"),  # a token per core: 2-task jobs need not wait
    # on gil pools the lock is seldom contended (see FOR_ONE_VALUE): a lone wait holds one value for a window
    ("Lock wait p99", "A"): moves_but(pool=("gil", "procs")),
    # a race loses updates only when threads interleave inside the read-modify-write: which pools do varies from
    # run to run (a GIL or a busy machine may serialise them); tiny runs no counter workload
    ("Lost updates per second", "A"): SOME,
    ("CPU", "A"): MOVES,
    ("CPU", "B"): MOVES,
    ("Heap", "A"): MOVES,
    ("Heap", "B"): FLAT,  # the maximum heap
    ("GC pause", "A"): MOVES,
    ("GC pause", "B"): FLAT,  # the longest pause holds for Micrometer's 2-minute window
    ("Live threads by state", "A"): SOME,  # new, terminated, often blocked stay 0
}
# The concrete value each variable is tried with (else the first its query returns): gil is the pool the load
# runs every workload on, and the GIL panels apply to it.
CONCRETE = {"pool": "gil"}
# What changes with that one value selected, per (variable, panel title, refId):
EMPTY = "empty"  # may have no series at all (or flat ones)
FOR_ONE_VALUE = {
    ("pool", "Rejections per second", "A"): FLAT,  # only the tiny pool is overloaded
    ("pool", "Threads", "A"): FLAT,  # a gil pool's threads are fixed
    # the GIL serialises the counter's tiny critical section: its lock is seldom, maybe never, contended
    ("pool", "Lock wait p99", "A"): EMPTY,
    ("pool", "Lost updates per second", "A"): FLAT,  # likewise its unsynchronised counter may lose nothing
}
NOWHERE = "no-such-instance:1"


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


def grafana_regex_value(value):
    """One value of a multi-value or include-All variable as Grafana puts it into a Prometheus query: regex
    characters escaped, inside a PromQL string (so each escape doubled)."""
    return re.sub(r"[$^*{}\[\]'+?.()|]", r"\\\\\g<0>", value.replace("\\", "\\\\\\\\"))


def interpolate(expr, values):
    """Grafana's substitution for the variables this dashboard uses; $__rate_interval as a fixed window."""
    expr = expr.replace("$__rate_interval", RATE_INTERVAL)
    for name in sorted(values, key=len, reverse=True):
        expr = expr.replace("${" + name + "}", values[name]).replace("$" + name, values[name])
    return expr


def load_dashboard():
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    targets = [(panel["title"], target["refId"], target["expr"])
               for panel in dashboard["panels"] for target in panel.get("targets", [])]
    variables = [v for v in dashboard["templating"]["list"] if v["type"] == "query"]
    return targets, variables


class Prometheus:
    def __init__(self, base):
        self.base = base

    def get(self, path, **params):
        status, body = http("GET", f"{self.base}{path}?" + urllib.parse.urlencode(params, doseq=True))
        if status != 200 or body.get("status") != "success":
            raise QueryError(body.get("error") if body else f"HTTP {status}")
        return body["data"]

    def range(self, expr, start, end):
        return self.get("/api/v1/query_range", query=expr, start=start, end=end, step=STEP_SECONDS)

    def variable_values(self, variable, values, start, end):
        """What the variable's label_values(selector, label) query offers."""
        match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", variable["definition"].strip())
        if not match:
            raise QueryError(f"variable {variable['name']}: unsupported query {variable['definition']}")
        selector, label = interpolate(match.group(1), values), match.group(2)
        series = self.get("/api/v1/series", **{"match[]": selector, "start": start, "end": end})
        return sorted({s[label] for s in series if label in s})


class QueryError(Exception):
    pass


def check_target(title, ref, series, expect, variable=None, value=None):
    """Problems of one target's range result (a list of {metric, values})."""
    where = f"panel '{title}' {ref}" + (f" with {variable}={value}" if variable else "")
    if not series:
        return [] if expect == EMPTY else [f"{where}: no series"]
    problems = []
    moving = []
    expect, may_be_flat = expect if isinstance(expect, tuple) else (expect, None)
    for s in series:
        labels = ",".join(f"{k}={v}" for k, v in sorted(s["metric"].items())) or "{}"
        numbers = [float(v) for _, v in s["values"]]
        bad = [v for v in numbers if math.isnan(v) or math.isinf(v)]
        if bad:
            problems.append(f"{where} [{labels}]: {len(bad)} of {len(numbers)} points are {bad[0]}")
        if variable and variable in s["metric"] and s["metric"][variable] != value:
            problems.append(f"{where}: a series of {variable}={s['metric'][variable]}: the variable is not applied")
        if expect == ZERO and any(v != 0 for v in numbers):
            problems.append(f"{where} [{labels}]: must stay 0 on a healthy service, reached {max(numbers)}")
        if expect == ONE and any(v != 1 for v in numbers):
            problems.append(f"{where} [{labels}]: must stay 1 on a healthy service, fell to {min(numbers)}")
        if len(set(numbers)) > 1:
            moving.append(s)
        elif expect == MOVES and not (may_be_flat and all(s["metric"].get(k) in v for k, v in may_be_flat.items())):
            problems.append(f"{where} [{labels}]: flat at {numbers[0]} over {len(numbers)} points; "
                            "the load should move it")
    if expect == SOME and not moving:
        problems.append(f"{where}: all {len(series)} series flat; the load should move at least one")
    return problems


def check_dashboard(prom, start, end):
    """Every dashboard target over [start, end]: All, each variable at one concrete value, an absent instance."""
    targets, variables = load_dashboard()
    failures = []
    for title, ref, _ in targets:
        if (title, ref) not in EXPECT:
            failures.append(f"panel '{title}' {ref}: no entry in EXPECT (must it move under the load?)")
    everything = {v["name"]: v.get("allValue") or ".*" for v in variables}
    runs = [(None, None, everything)]
    for variable in variables:
        name = variable["name"]
        offered = prom.variable_values(variable, everything, start, end)
        if not offered:
            failures.append(f"variable {name}: its query {variable['definition']} offers no value")
            continue
        value = CONCRETE.get(name, offered[0])
        if value not in offered:
            failures.append(f"variable {name}: {value} is not among the values it offers, {offered}")
            continue
        print(f"ok    variable {name} offers {offered}; tried with {value}")
        runs.append((name, value, {**everything, name: grafana_regex_value(value)}))
    for variable, value, values in runs:
        passed = 0
        for title, ref, expr in targets:
            expect = FOR_ONE_VALUE.get((variable, title, ref), EXPECT.get((title, ref), MOVES))
            query = interpolate(expr, values)
            try:
                series = prom.range(query, start, end)["result"]
            except QueryError as e:
                failures.append(f"panel '{title}' {ref}: {query}: {e}")
                continue
            problems = check_target(title, ref, series, expect, variable, value)
            failures += problems
            passed += not problems
        print(f"{'ok' if passed == len(targets) else 'FAIL':6}{passed} of {len(targets)} dashboard targets as expected "
              f"with {f'{variable}={value}' if variable else 'every variable at All'}")
    # an instance nobody scrapes: every panel must show no data rather than a made-up 0
    nowhere = {**everything, "instance": grafana_regex_value(NOWHERE)}
    invented = 0
    for title, ref, expr in targets:
        query = interpolate(expr, nowhere)
        try:
            series = prom.range(query, start, end)["result"]
        except QueryError as e:
            failures.append(f"panel '{title}' {ref}: {query}: {e}")
            continue
        if series:
            invented += 1
            failures.append(f"panel '{title}' {ref}: {len(series)} series for instance {NOWHERE}, which does not exist")
    print(f"{'ok' if not invented else 'FAIL':6}{len(targets) - invented} of {len(targets)} dashboard targets show no "
          f"data for an instance that does not exist")
    return failures


class Load:
    """The mixed load, on its own threads, until stopped."""

    def __init__(self, base):
        self.base = base
        self.stopped = threading.Event()
        self.statuses = {}
        self.lock = threading.Lock()

    def count(self, status):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def submit(self, body, query=""):
        status, job = http("POST", f"{self.base}/jobs{query}", body)
        self.count(status)
        return status, job

    def overload(self):
        while not self.stopped.is_set():
            self.submit({"workload": "cpu", "pool": "tiny", "params": {"iterations": 200_000_000}})
            time.sleep(0.05)

    def steady(self):
        # io jobs always in flight on the virtual pool: the mixed rounds' short io jobs come every ~3 s, a period a
        # 1 s scrape can alias with so that no scrape sees one (seen once in CI: the io pool's panels flat at 0)
        while not self.stopped.is_set():
            self.submit({"workload": "io", "pool": "io", "tasks": 4, "params": {"durationMs": 1000}})
            self.stopped.wait(0.5)

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
                self.count(http("GET", f"{self.base}/jobs/no-such-job")[0])  # a client error: 404
            self.submit({"workload": "cpu", "pool": "gil", "tasks": 2, "params": {"iterations": 100_000_000}}, "?wait=2s")
            # more tasks than the gil pool has threads, long enough for a scrape to see its queue
            self.submit({"workload": "io", "pool": "gil", "tasks": 24, "params": {"durationMs": 1500}})

    def start(self):
        self.threads = [threading.Thread(target=self.overload, daemon=True),
                        threading.Thread(target=self.steady, daemon=True),
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

    started = time.time()
    work = tempfile.mkdtemp(prefix="threadlab-e2e-")
    prom_port = free_port()
    prom = Prometheus(f"http://127.0.0.1:{prom_port}")
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
        wait_until("Prometheus ready",
                   lambda: urllib.request.urlopen(f"{prom.base}/-/ready", timeout=2).status == 200, 60)
        wait_until("a first scrape of the service",
                   lambda: prom.get("/api/v1/query", query='up{job="threadlab"} == 1')["result"], 30)
        start = time.time()
        print(f"== service on {base}, Prometheus on {prom.base}; idle for {BASELINE_SECONDS} s, then load for "
              f"{LOAD_SECONDS} s")
        time.sleep(BASELINE_SECONDS)

        load = Load(base)
        load.start()
        time.sleep(LOAD_SECONDS)

        # Alerts are read while the overload still runs.
        def alert_states():
            _, body = http("GET", f"{prom.base}/api/v1/alerts")
            return {(a["labels"]["alertname"], a["labels"].get("pool")): a["state"] for a in body["data"]["alerts"]}

        try:
            wait_until("saturation and rejection alerts pending or firing for pool tiny",
                       lambda: all(alert_states().get((name, "tiny")) in ("pending", "firing") for name in MUST_FIRE), 30)
            for name in MUST_FIRE:
                print(f"ok    alert {name}{{pool=\"tiny\"}} is {alert_states()[(name, 'tiny')]}")
        except SystemExit as missing:
            failures.append(str(missing))
        load.stop()
        end = time.time()
        print(f"== load: responses by status {dict(sorted(load.statuses.items()))}")

        # ALERTS holds every pending or firing alert, per evaluation: none of these at any moment of the run
        silent = "|".join(MUST_STAY_SILENT)
        raised = prom.range(f'ALERTS{{alertname=~"{silent}"}}', start, end)["result"]
        for s in raised:
            failures.append(f"alert {s['metric']['alertname']} was {s['metric']['alertstate']} on a healthy service: "
                            f"{s['metric']}")
        if not raised:
            print(f"ok    alerts {', '.join(MUST_STAY_SILENT)} stayed silent")

        for group in prom.get("/api/v1/rules")["groups"]:
            for rule in group["rules"]:
                if rule.get("health") != "ok" or rule.get("lastError"):
                    failures.append(f"alert rule {rule['name']}: health {rule.get('health')} {rule.get('lastError', '')}")
                else:
                    print(f"ok    alert rule {rule['name']} evaluates ({rule.get('state', '')})")

        failures += check_dashboard(prom, start, end)
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
    print(f"== observability end-to-end check passed in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
