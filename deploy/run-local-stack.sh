#!/usr/bin/env bash
# The local stack without Docker: threadlab (packaged jar) and a local Prometheus scraping it with the alert rules
# loaded; Grafana too when grafana-server is installed (it cannot be on every machine).
#   deploy/run-local-stack.sh          # Ctrl-C stops everything
# Ports: THREADLAB_PORT (default 8080), PROMETHEUS_PORT (default 9090); a busy default is replaced by a free port.
# Prometheus: Debian's package (apt-get install prometheus) or any prometheus binary on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/jdk.sh
JAVA_HOME=$(select_jdk)
export JAVA_HOME

command -v prometheus >/dev/null || { echo "prometheus not found: apt-get install prometheus (or put it on PATH)" >&2; exit 1; }
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -ntp -q package -DskipTests

# the requested port if it is free, else any free port
port() {
    python3 -c 'import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "$1"
}
app_port=$(port "${THREADLAB_PORT:-8080}")
prometheus_port=$(port "${PROMETHEUS_PORT:-9090}")

work=$(mktemp -d /tmp/threadlab-stack.XXXXXX)
pids=()
stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap stop EXIT INT TERM

"$JAVA_HOME/bin/java" -Dquarkus.http.port="$app_port" -jar target/quarkus-app/quarkus-run.jar > "$work/threadlab.log" 2>&1 &
pids+=($!)
sed "s/threadlab:8080/127.0.0.1:$app_port/" deploy/prometheus/prometheus.yml > "$work/prometheus.yml"
cp deploy/prometheus/alerts.yml "$work/alerts.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
    --web.listen-address=127.0.0.1:"$prometheus_port" > "$work/prometheus.log" 2>&1 &
pids+=($!)

if command -v grafana-server >/dev/null; then
    PROMETHEUS_URL=http://127.0.0.1:$prometheus_port DASHBOARDS_PATH="$PWD/grafana/dashboards" \
    GF_PATHS_PROVISIONING="$PWD/grafana/provisioning" GF_PATHS_DATA="$work/grafana" \
    GF_AUTH_ANONYMOUS_ENABLED=true GF_AUTH_ANONYMOUS_ORG_ROLE=Viewer \
        grafana-server --homepath /usr/share/grafana > "$work/grafana.log" 2>&1 &
    pids+=($!)
    grafana="Grafana     http://127.0.0.1:3000 (dashboard 'threadlab')"
else
    grafana="Grafana     not installed here: query Prometheus, or import grafana/dashboards/threadlab.json into any Grafana"
fi

for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$app_port/q/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
done
cat <<INFO
threadlab   http://127.0.0.1:$app_port (console in a browser; logs: $work/threadlab.log)
Prometheus  http://127.0.0.1:$prometheus_port (alerts: /classic/alerts in Debian's build, /alerts elsewhere; API: /api/v1/alerts)
$grafana
Ctrl-C stops everything.
INFO
wait
