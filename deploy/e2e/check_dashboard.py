#!/usr/bin/env python3
"""Sanity check of grafana/dashboards/threadlab.json and its provisioning: valid JSON, the variables and rows the
operators rely on, every panel described and querying the provisioned data source. Standard library only."""
import json
import os
import re
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ROWS = ["Overview", "Latency", "Pools", "GIL & contention", "Races & locks", "JVM"]


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
    for panel in panels:
        if len(panel.get("description", "")) < 20:
            problems.append(f"panel '{panel['title']}' has no description of what to look for")
        if panel.get("datasource", {}).get("uid") != "${datasource}":
            problems.append(f"panel '{panel['title']}' does not use the datasource variable")
        if not panel.get("targets") or not all(t.get("expr") for t in panel["targets"]):
            problems.append(f"panel '{panel['title']}' has a target without an expression")
    if problems:
        print("\n".join("FAIL  " + p for p in problems))
        sys.exit(1)
    print(f"ok    dashboard: {len(panels)} panels in {len(rows)} rows, variables {sorted(variables)}, data source {uid}")


if __name__ == "__main__":
    main()
