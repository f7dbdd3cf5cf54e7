# Sourced by deploy/run-local-stack.sh and deploy/run-local-cluster.sh: what both need to run things on loopback.

# free_ports WANTED...: one free loopback port per argument, the requested one if it is free, else any (0 asks for
# any). Every socket is held until all are chosen, so no two ports are the same.
free_ports() {
    python3 - "$@" <<'PY'
import socket, sys
held = []
for wanted in sys.argv[1:]:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", int(wanted)))
    except OSError:
        s.bind(("127.0.0.1", 0))
    held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held))
PY
}

# start_grafana PROMETHEUS_PORT GRAFANA_PORT WORK: Grafana with threadlab's dashboard and datasource, where
# grafana-server is installed (it cannot be on every machine), its data and log under WORK; its pid is added to the
# caller's pids array. Sets grafana to a line saying where it is, or how to do without it.
start_grafana() {
    if command -v grafana-server >/dev/null; then
        PROMETHEUS_URL=http://127.0.0.1:$1 DASHBOARDS_PATH="$PWD/grafana/dashboards" \
        GF_PATHS_PROVISIONING="$PWD/grafana/provisioning" GF_PATHS_DATA="$3/grafana" \
        GF_SERVER_HTTP_ADDR=127.0.0.1 GF_SERVER_HTTP_PORT=$2 \
        GF_AUTH_ANONYMOUS_ENABLED=true GF_AUTH_ANONYMOUS_ORG_ROLE=Viewer \
            grafana-server --homepath /usr/share/grafana > "$3/grafana.log" 2>&1 &
        pids+=($!)
        grafana="http://127.0.0.1:$2 (dashboard 'threadlab'; log $3/grafana.log)"
    else
        grafana="not installed here: query Prometheus, or import grafana/dashboards/threadlab.json into any Grafana"
    fi
}
