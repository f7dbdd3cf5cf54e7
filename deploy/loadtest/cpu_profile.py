#!/usr/bin/env python3
"""Where a request's CPU goes, warm: one path under `wrk -t2 -c32`, the service's CPU per request split by thread kind
(event loop, pool and other threads, JIT compiler, GC; from /proc, nothing attached) over 10 s windows after 30, 60,
90 and 120 s of load. With --async-profiler LIB (libasyncProfiler.so, e.g. from Maven Central's
tools.profiler:async-profiler jar), one more 10 s window is profiled (loaded with jcmd) and the collapsed stacks are
written to --out, with the threadlab methods that cost most, inclusive, and the profile's split by thread kind.
Attaching the profiler can make the JVM recompile for a while (its JIT share was 1 % in one run, 14-23 % in others):
the /proc windows are the figures, the profile says where they go.

    python3 deploy/loadtest/cpu_profile.py async      # POST /jobs (async submit of a trivial cpu job)
    python3 deploy/loadtest/cpu_profile.py wait       # POST /jobs?wait=10s
    python3 deploy/loadtest/cpu_profile.py json       # the hello app's POST /hello/json (the framework's floor)
    python3 deploy/loadtest/cpu_profile.py hello      # the hello app's GET /hello
"""
import argparse
import collections
import glob
import os
import re
import subprocess

import bench
from threadlab_service import Service, find_java

PATHS = {
    "async": (False, "/", "submit.lua", ("cpu", "1")),
    "wait": (False, "/", "submit_wait.lua", ("10s", bench.TRIVIAL_JOB)),
    "json": (True, "/", "submit.lua", ("cpu", "1", "/hello/json")),
    "hello": (True, "/hello", None, ()),
}
# thread names as /proc shows them (15 characters at most) and as async-profiler shows them
KINDS = (("JIT compiler", r"Compiler"), ("event loop", r"vert\.x-eventloo"), ("GC", r"GC|G1|Conc|Refine"))


def kind(thread):
    return next((name for name, pattern in KINDS if re.search(pattern, thread)), "pool and other threads")


def thread_cpu(pid):
    """{task: (name, CPU seconds)} of every thread of pid."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for task in glob.glob(f"/proc/{pid}/task/*"):
        try:
            name = open(task + "/comm").read().strip()
            fields = open(task + "/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        out[task] = (name, (int(fields[11]) + int(fields[12])) / ticks)
    return out


def window(svc, path, script, args, seconds=10):
    """One wrk run: requests/s and {thread kind: CPU microseconds per request}."""
    before = thread_cpu(svc.process.pid)
    rate, total, _ = bench.wrk(svc.base, seconds, 32, path, script, args)
    per = collections.Counter()
    for task, (name, cpu) in thread_cpu(svc.process.pid).items():
        per[kind(name)] += cpu - before.get(task, (name, 0.0))[1]
    return rate, {name: cpu / total * 1e6 for name, cpu in per.items()}


def profile(svc, lib, out, path, script, args, seconds=10):
    jcmd = os.path.join(os.path.dirname(find_java()), "jcmd")
    pid = str(svc.process.pid)
    # the agent's options go quoted, or jcmd splits them at the '='
    subprocess.run([jcmd, pid, "JVMTI.agent_load", lib, '"start,event=cpu,interval=200us,cstack=vm,threads"'],
                   check=True, capture_output=True)
    rate, per = window(svc, path, script, args, seconds)
    subprocess.run([jcmd, pid, "JVMTI.agent_load", lib, f'"stop,file={out},collapsed"'], check=True, capture_output=True)
    return rate, per


def summarise(collapsed, per_request_us):
    """The profile's split by thread kind and its costliest threadlab methods, inclusive, in us per request."""
    by_kind, methods, total = collections.Counter(), collections.Counter(), 0
    for line in open(collapsed):
        stack, count = line.rstrip("\n").rsplit(" ", 1)
        frames, count = stack.split(";"), int(count)
        total += count
        by_kind[kind(frames[0])] += count
        for method in {f for f in frames if f.startswith("dev/threadlab/")}:
            methods[method] += count
    print(f"  profile ({total} samples), by thread kind:")
    for name, count in by_kind.most_common():
        print(f"    {name:28s} {100 * count / total:5.1f} %")
    print("  threadlab methods, inclusive (us per request, scaled to the unprofiled CPU per request):")
    for method, count in methods.most_common(25):
        print(f"    {per_request_us * count / total:6.2f}  {method}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", choices=PATHS)
    parser.add_argument("--async-profiler", metavar="LIB", help="libasyncProfiler.so: also profile one window")
    parser.add_argument("--out", default="/tmp/threadlab-profile.collapsed", help="collapsed stacks (with --async-profiler)")
    args = parser.parse_args()
    on_hello, path, script, script_args = PATHS[args.path]
    if on_hello:
        bench.build_hello()
    svc = Service(jar=bench.HELLO_JAR, ready_path="/hello") if on_hello else Service()
    try:
        elapsed, last = 0, {}
        for mark in (30, 60, 90, 120):
            bench.wrk(svc.base, mark - elapsed, 32, path, script, script_args)
            rate, last = window(svc, path, script, script_args)
            elapsed = mark + 10
            print(f"{args.path} after {mark:3d} s of load: {rate:7.0f} req/s, CPU per request "
                  + ", ".join(f"{name} {us:.1f}" for name, us in sorted(last.items()))
                  + f", total {sum(last.values()):.1f} us", flush=True)
        if args.async_profiler:
            profile(svc, args.async_profiler, args.out, path, script, script_args)
            print(f"profiled 10 s more into {args.out}")
            summarise(args.out, sum(last.values()))
    finally:
        svc.stop()


if __name__ == "__main__":
    main()
