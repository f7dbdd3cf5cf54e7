"""The packaged threadlab service on a loopback port, for the benchmarks and checks in deploy/: find a JDK 21+,
start target/quarkus-app/quarkus-run.jar with extra system properties, wait until it is ready, talk JSON to it,
read its process figures, stop it. Standard library only.
"""
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
JAR = os.path.join(REPO, "target", "quarkus-app", "quarkus-run.jar")


def find_java():
    """A JDK 21+: JAVA_HOME if it is one, else the newest under /usr/lib/jvm."""
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(os.environ["JAVA_HOME"])
    if os.path.isdir("/usr/lib/jvm"):
        candidates += sorted((os.path.join("/usr/lib/jvm", d) for d in os.listdir("/usr/lib/jvm")), reverse=True)
    for home in candidates:
        java = os.path.join(home, "bin", "java")
        if os.access(java, os.X_OK) and java_major(java) >= 21:
            return java
    sys.exit("no JDK 21+ found: set JAVA_HOME")


def java_major(java):
    """The feature release of a java binary (21, 25, ...), 0 if it cannot tell."""
    out = subprocess.run([java, "-XshowSettings:properties", "-version"], capture_output=True, text=True).stderr
    for line in out.splitlines():
        if "java.specification.version" in line:
            return int(line.split("=")[1].strip().split(".")[0])
    return 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """One instance of the service. `props` are extra -D settings, `jvm` extra JVM flags, `log` a file for its output,
    `jar` another Quarkus app to run the same way (the benchmark's hello app), `ready_path` its readiness check."""

    def __init__(self, props=(), jvm=(), log=None, java=None, ready_seconds=60, jar=JAR, ready_path="/q/health/ready"):
        if not os.path.exists(jar):
            sys.exit(f"{jar} missing: run ./mvnw package -DskipTests first")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        output = open(log, "w") if log else subprocess.DEVNULL
        started = time.perf_counter()
        # a benchmark's instance stops at once: no readiness delay, no drain
        self.process = subprocess.Popen(
            [java or find_java(), *jvm, f"-Dquarkus.http.port={self.port}", "-Dquarkus.http.host=127.0.0.1",
             "-Dquarkus.log.level=WARN", "-Dthreadlab.shutdown.delay=0s", "-Dthreadlab.shutdown.drain=0s",
             *props, "-jar", jar], stdout=output, stderr=subprocess.STDOUT)
        deadline = time.time() + ready_seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"the service exited at start with code {self.process.returncode}")
            try:
                if self.status(ready_path, timeout=1) == 200:
                    self.ready_seconds = time.perf_counter() - started
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.005)
        self.stop()
        sys.exit(f"the service was not ready in {ready_seconds} s")

    def status(self, path, timeout=120):
        """The status of a GET, whatever the body is."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as e:
            return e.code

    def request(self, method, path, body=None, timeout=120, headers=None):
        """(status, headers, decoded JSON body) of one request; 4xx and 5xx are answers, not exceptions."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                return response.status, response.headers, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, e.headers, json.loads(e.read() or b"null")

    def get(self, path):
        return self.request("GET", path)[2]

    def job(self, workload, pool, tasks, params, wait=True):
        """Submits a job; with wait, joins it until it has ended and returns the final job."""
        job = self.request("POST", "/jobs" + ("?wait=60s" if wait else ""),
                           {"workload": workload, "pool": pool, "tasks": tasks, "params": params})[2]
        while wait and not job["done"]:
            job = self.get(f"/jobs/{job['id']}/join?timeout=60s")
        return job

    def cancel(self, job_id):
        self.request("DELETE", f"/jobs/{job_id}")  # a 409 (ended already) is fine too

    def cpu_seconds(self):
        """User plus system CPU time the service process has used so far (from /proc, 10 ms resolution)."""
        fields = open(f"/proc/{self.process.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def proc(self):
        """(RSS bytes, threads, open file descriptors) of the service process."""
        status = open(f"/proc/{self.process.pid}/status").read()
        rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) * 1024
        threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
        return rss, threads, len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def stop(self, timeout=60):
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
