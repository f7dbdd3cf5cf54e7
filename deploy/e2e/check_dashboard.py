#!/usr/bin/env python3
"""Sanity check of grafana/dashboards/threadlab.json and its provisioning: valid JSON, the variables and rows the
operators rely on, every panel described and querying the provisioned data source, every query filtered by the
variables, the HTTP row, the instances row (load per instance, the job store's health), GIL ratios per token; and
that every alert rule in deploy/prometheus/alerts.yml has a promtool test case where it fires and one where it does
not. Standard library only."""
import json
import os
import re
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ROWS = ["Overview", "Instances & store", "HTTP", "Latency", "Pools", "GIL & contention", "Races & locks", "JVM"]
# the same names as MetricsContractTest (metrics the service exports)
METRIC = re.compile(r"\b(?:threadlab|jvm|process|system|http_server)_[a-z_]+")
# threadlab metrics without a pool label
POOLLESS = {"threadlab_join_waiters", "threadlab_join_waiters_limit", "threadlab_store_up", "threadlab_store_errors_total"}
# token-time counters: their rate is a ratio only per token (threadlab_gil_interpreters)
GIL_TOKEN_TIME = ("threadlab_gil_held_seconds_total", "threadlab_gil_contended_seconds_total")
# what a GIL ratio must never be divided by: a gil pool runs many threads on few tokens
THREAD_COUNTS = ("threadlab_pool_threads", "threadlab_pool_max_concurrency", "threadlab_pool_active_tasks",
                 "threadlab_gil_waiting_threads")
HTTP_COUNT = "http_server_requests_seconds_count"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from observability_e2e import EXPECT  # noqa: E402


def top_level_divisions(expr):
    """(numerator, denominator) of each '/' outside parentheses, brackets and strings."""
    depth, quoted, splits = 0, False, []
    for i, c in enumerate(expr):
        if c == '"' and expr[i - 1] != "\\":
            quoted = not quoted
        elif not quoted and c in "([{":
            depth += 1
        elif not quoted and c in ")]}":
            depth -= 1
        elif not quoted and depth == 0 and c == "/":
            splits.append(i)
    return [(expr[:i], expr[i + 1:]) for i in splits]


def unwrap(expr):
    """expr without enclosing parentheses, recursively, so that a division inside (...) is found."""
    expr = expr.strip()
    while expr.startswith("(") and expr.endswith(")"):
        depth = 0
        for i, c in enumerate(expr):
            depth += c == "("
            depth -= c == ")"
            if depth == 0 and i < len(expr) - 1:
                return expr
        expr = expr[1:-1].strip()
    return expr


def gil_ratio_problems(where, expr):
    if not any(name in expr for name in GIL_TOKEN_TIME):
        return []
    divisions = top_level_divisions(unwrap(expr))
    if not divisions:
        return [f"{where}: a GIL token-time rate is not divided by threadlab_gil_interpreters: {expr}"]
    _, denominator = divisions[-1]
    problems = []
    if "threadlab_gil_interpreters" not in denominator:
        problems.append(f"{where}: a GIL ratio must divide by threadlab_gil_interpreters (tokens): {expr}")
    for name in THREAD_COUNTS:
        if name in denominator:
            problems.append(f"{where}: a GIL ratio divides by {name}, threads rather than tokens: {expr}")
    return problems


def selector_problems(where, expr):
    """Every metric is selected with the instance variable, and threadlab metrics with the pool variable too."""
    problems = []
    for match in METRIC.finditer(expr):
        name, rest = match.group(), expr[match.end():]
        selector = re.match(r'\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\}', rest)  # a '}' in a label value is no end
        selector = selector.group(1) if selector else ""
        if 'instance=~"$instance"' not in selector:
            problems.append(f"{where}: {name} is not filtered by instance=~\"$instance\"")
        if name.startswith("threadlab_") and name not in POOLLESS and 'pool=~"$pool"' not in selector:
            problems.append(f"{where}: {name} is not filtered by pool=~\"$pool\"")
    return problems


def alert_expressions(text):
    """(alert name, expr) of each rule in alerts.yml: single-line or block scalar expressions."""
    rules, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"\s*- alert:\s*(\S+)", line)
        if not match:
            continue
        for j in range(i + 1, len(lines)):
            expr = re.match(r"(\s*)expr:\s*(.*)", lines[j])
            if expr:
                if expr.group(2).strip() in ("|", ">", "|-", ">-"):
                    indent = len(expr.group(1))
                    block = []
                    for k in range(j + 1, len(lines)):
                        if lines[k].strip() and len(lines[k]) - len(lines[k].lstrip()) <= indent:
                            break
                        block.append(lines[k].strip())
                    rules.append((match.group(1), " ".join(block)))
                else:
                    rules.append((match.group(1), expr.group(2).strip()))
                break
    return rules


def rule_test_cases(text):
    """{alert name: (cases where it must fire, cases where it must not)} from a promtool test file."""
    cases, name, fires = {}, None, False

    def close():
        if name:
            firing, quiet = cases.setdefault(name, [0, 0])
            cases[name] = [firing + fires, quiet + (not fires)]

    for line in text.splitlines():
        if re.match(r"\s*- (eval_time|name|interval):", line) or re.match(r"\s*tests:", line):
            close()
            name, fires = None, False
        match = re.match(r"\s*alertname:\s*(\S+)", line)
        if match:
            name = match.group(1)
        if re.match(r"\s*exp_alerts:\s*$", line):
            fires = True
    close()
    return cases


def main():
    problems = []
    with open(os.path.join(REPO, "grafana", "dashboards", "threadlab.json")) as f:
        dashboard = json.load(f)
    with open(os.path.join(REPO, "grafana", "provisioning", "datasources", "prometheus.yaml")) as f:
        uid = re.search(r"^\s*uid:\s*(\S+)", f.read(), re.M).group(1)
    if dashboard.get("refresh") != "5s":
        problems.append(f"refresh is {dashboard.get('refresh')}, not 5s")
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    for name in ("datasource", "instance", "pool"):
        if name not in variables:
            problems.append(f"variable {name} missing")
    if variables.get("datasource", {}).get("current", {}).get("value") != uid:
        problems.append(f"the datasource variable does not default to the provisioned uid {uid}")
    rows = [p["title"] for p in dashboard["panels"] if p["type"] == "row"]
    if rows != ROWS:
        problems.append(f"rows are {rows}, expected {ROWS}")
    ids = [p["id"] for p in dashboard["panels"]]
    if len(ids) != len(set(ids)):
        problems.append("panel ids are not unique")
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    row_of, row = {}, None
    for p in dashboard["panels"]:
        if p["type"] == "row":
            row = p["title"]
        else:
            row_of[p["id"]] = row
    targets = []
    for panel in panels:
        if len(panel.get("description", "")) < 20:
            problems.append(f"panel '{panel['title']}' has no description of what to look for")
        if panel.get("datasource", {}).get("uid") != "${datasource}":
            problems.append(f"panel '{panel['title']}' does not use the datasource variable")
        if not panel.get("targets") or not all(t.get("expr") for t in panel["targets"]):
            problems.append(f"panel '{panel['title']}' has a target without an expression")
            continue
        for target in panel["targets"]:
            where = f"panel '{panel['title']}' {target['refId']}"
            expr = target["expr"]
            targets.append((panel, target["refId"], expr))
            problems += selector_problems(where, expr)
            problems += gil_ratio_problems(where, expr)
            # an invented series shows 0 where nothing is scraped at all
            if "vector(" in expr:
                problems.append(f"{where}: vector() makes up a series; fall back on 0 * a real one instead")

    # HTTP row: request rate, an error ratio that tells the deliberate 503s apart, latency from sum / count
    http = [expr for panel, _, expr in targets if row_of[panel["id"]] == "HTTP"]
    if not any(f"rate({HTTP_COUNT}" in e and "/" not in e for e in http):
        problems.append("row HTTP: no request rate (rate of http_server_requests_seconds_count)")
    unexpected = [e for e in http if 'status!="503"' in e and top_level_divisions(unwrap(e))]
    deliberate = [e for e in http if 'status="503"' in e and top_level_divisions(unwrap(e))]
    if not unexpected or not deliberate:
        problems.append("row HTTP: no error ratios for 5xx but 503 (unexpected) and for 503 (on purpose) apart")
    if not any(any("http_server_requests_seconds_sum" in n and HTTP_COUNT in d
                   for n, d in top_level_divisions(unwrap(e))) for e in http):
        problems.append("row HTTP: no latency (http_server_requests_seconds_sum / _count)")

    # Instances & store row: how the load spreads over the instances (submissions and jobs in flight, each summed by
    # instance) and whether each reaches the job store (up by instance, the error rate)
    instances = [expr for panel, _, expr in targets if row_of[panel["id"]] == "Instances & store"]
    wanted = {
        "jobs submitted per second by instance": r"sum by \(instance\) \(rate\(threadlab_jobs_submitted_total\{",
        "jobs in flight by instance": r"sum by \(instance\) \(threadlab_jobs_in_flight\{",
        "the store up by instance": r"by \((instance, store|store, instance|instance)\) \(threadlab_store_up\{",
        "the store's errors per second": r"rate\(threadlab_store_errors_total\{",
    }
    for what, pattern in wanted.items():
        if not any(re.search(pattern, e) for e in instances):
            problems.append(f"row Instances & store: no query of {what}")

    # every target has an expectation in the end-to-end check, and every expectation a target
    keys = {(panel["title"], ref) for panel, ref, _ in targets}
    for key in sorted(keys - EXPECT.keys()):
        problems.append(f"panel '{key[0]}' {key[1]}: no entry in observability_e2e.EXPECT")
    for key in sorted(EXPECT.keys() - keys):
        problems.append(f"observability_e2e.EXPECT names '{key[0]}' {key[1]}, which the dashboard lacks")

    with open(os.path.join(REPO, "deploy", "prometheus", "alerts.yml")) as f:
        rules = alert_expressions(f.read())
    for name, expr in rules:
        problems += gil_ratio_problems(f"alert {name}", expr)
    with open(os.path.join(REPO, "deploy", "prometheus", "alerts_test.yml")) as f:
        cases = rule_test_cases(f.read())
    for name, _ in rules:
        firing, quiet = cases.get(name, (0, 0))
        if not firing or not quiet:
            problems.append(f"alert {name}: alerts_test.yml has {firing} case(s) where it fires and {quiet} where "
                            f"it must not; it needs at least one of each")
    if problems:
        print("\n".join("FAIL  " + p for p in problems))
        sys.exit(1)
    print(f"ok    dashboard: {len(panels)} panels in {len(rows)} rows, variables {sorted(variables)}, "
          f"data source {uid}; {len(targets)} queries filtered by the variables, HTTP row, instances row, "
          f"GIL ratios per token")
    print(f"ok    alert rules: {len(rules)}, each with promtool cases where it fires and where it must not")


if __name__ == "__main__":
    main()
