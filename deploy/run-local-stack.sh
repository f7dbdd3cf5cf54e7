#!/usr/bin/env bash
# The local stack without Docker: threadlab (packaged jar) and a local Prometheus scraping it with the alert rules
# loaded; Grafana too when grafana-server is installed (it cannot be on every machine).
#   deploy/run-local-stack.sh          # Ctrl-C stops everything
# Ports: THREADLAB_PORT (default 8080), PROMETHEUS_PORT (default 9090), GRAFANA_PORT (default 3000); a busy default
# is replaced by a free port.
# Prometheus: Debian's package (apt-get install prometheus) or any prometheus binary on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/jdk.sh
source deploy/local.sh
JAVA_HOME=$(select_jdk)
export JAVA_HOME

command -v prometheus >/dev/null || { echo "prometheus not found: apt-get install prometheus (or put it on PATH)" >&2; exit 1; }
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -ntp -q package -DskipTests

read -r app_port prometheus_port grafana_port \
    <<< "$(free_ports "${THREADLAB_PORT:-8080}" "${PROMETHEUS_PORT:-9090}" "${GRAFANA_PORT:-3000}")"

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

start_grafana "$prometheus_port" "$grafana_port" "$work"

for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$app_port/q/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
done
cat <<INFO
threadlab   http://127.0.0.1:$app_port (console in a browser; logs: $work/threadlab.log)
Prometheus  http://127.0.0.1:$prometheus_port (alerts: /classic/alerts in Debian's build, /alerts elsewhere; API: /api/v1/alerts)
Grafana     $grafana
Ctrl-C stops everything.
INFO
wait
