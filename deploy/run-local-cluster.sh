#!/usr/bin/env bash
# threadlab as a cluster on one machine, without Docker: Redis (the shared job store), three instances of the packaged
# jar (instance ids a1, b2, c3) behind HAProxy's round robin, and Prometheus scraping all three with the alert rules
# loaded; Grafana too where grafana-server is installed. Everything listens on loopback and lives in one temporary
# folder, removed at the end.
#   deploy/run-local-cluster.sh          # Ctrl-C (or SIGTERM) stops everything
# Ports: THREADLAB_PORT (the balancer, default 8080), PROMETHEUS_PORT (default 9090), GRAFANA_PORT (default 3000); a
# busy default is replaced by a free port. Redis, the instances and HAProxy's stats page take free ports.
# Needs Debian's redis-server, haproxy and prometheus packages, and a JDK 21+ (deploy/jdk.sh finds one).
# The balancer and Prometheus run the files of docker-compose.yml's cluster profile (deploy/haproxy/haproxy.cfg,
# deploy/prometheus/prometheus-cluster.yml) with loopback addresses.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "deploy/run-local-cluster.sh: $*" >&2; exit 1; }

# command -> the Debian package that has it
declare -A package_of=([redis-server]=redis-server [redis-cli]=redis-tools [haproxy]=haproxy [prometheus]=prometheus
                       [curl]=curl [python3]=python3)
missing=()
for tool in redis-server redis-cli haproxy prometheus curl python3; do
    command -v "$tool" >/dev/null || missing+=("${package_of[$tool]}")
done
[ ${#missing[@]} -eq 0 ] || fail "not found: ${missing[*]}. Install Debian's packages: apt-get install redis-server haproxy prometheus"

source deploy/jdk.sh
source deploy/local.sh
JAVA_HOME=$(select_jdk)
export JAVA_HOME
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -ntp -q package -DskipTests

for variable in THREADLAB_PORT PROMETHEUS_PORT GRAFANA_PORT; do
    [[ "${!variable:-0}" =~ ^[0-9]+$ ]] || fail "$variable=${!variable} is not a port number"
done

read -r balancer_port prometheus_port grafana_port stats_port redis_port a1_port b2_port c3_port \
    <<< "$(free_ports "${THREADLAB_PORT:-8080}" "${PROMETHEUS_PORT:-9090}" "${GRAFANA_PORT:-3000}" 0 0 0 0 0)"
[ -n "${c3_port:-}" ] || fail "could not choose free loopback ports"
ids=(a1 b2 c3)
declare -A port_of=([a1]=$a1_port [b2]=$b2_port [c3]=$c3_port)
declare -A pid_of=()

work=$(mktemp -d /tmp/threadlab-cluster.XXXXXX)
pids=()        # everything started here but Redis
redis_pid=""
stopped=0
# terminate PID...: SIGTERM, up to 30 s to exit (an instance serves for threadlab.shutdown.delay, 5 s, then drains),
# then SIGKILL.
terminate() {
    kill -TERM "$@" 2>/dev/null || true
    for _ in $(seq 1 300); do
        alive=0
        for pid in "$@"; do
            if kill -0 "$pid" 2>/dev/null; then alive=1; fi
        done
        [ "$alive" = 1 ] || break
        sleep 0.1
    done
    kill -KILL "$@" 2>/dev/null || true
}
# Redis goes last: the instances still write their jobs to it while they drain. Then the folder goes. Nothing here
# may stop the clean-up half way: a Ctrl-C also ends a '| tee' that reads this script's output, so writing to it
# fails (SIGPIPE ignored, errors dropped).
stop() {
    [ "$stopped" = 0 ] || return 0
    stopped=1
    trap '' PIPE INT TERM HUP
    echo "stopping ..." >&2 2>/dev/null || true
    [ ${#pids[@]} -eq 0 ] || terminate "${pids[@]}"
    [ -z "$redis_pid" ] || terminate "$redis_pid"
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# fail_with_log LOG MESSAGE: the message and the end of the log, before everything is stopped and removed.
fail_with_log() {
    echo "deploy/run-local-cluster.sh: $2; the end of $1:" >&2
    tail -n 30 "$1" >&2 || true
    exit 1
}

# wait_for WHAT PID LOG SECONDS COMMAND...: until COMMAND succeeds; fails early if PID has exited.
wait_for() {
    local what=$1 pid=$2 log=$3 seconds=$4
    shift 4
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        kill -0 "$pid" 2>/dev/null || fail_with_log "$log" "$what exited while starting"
        [ "$SECONDS" -lt "$deadline" ] || fail_with_log "$log" "$what not ready after $seconds s"
        sleep 0.3
    done
}

# Redis: loopback only, its own port, nothing saved (no snapshots, no append-only file).
mkdir "$work/redis"
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work/redis" \
    > "$work/redis.log" 2>&1 &
redis_pid=$!
redis_answers() { redis-cli -h 127.0.0.1 -p "$redis_port" ping | grep -q PONG; }
wait_for Redis "$redis_pid" "$work/redis.log" 20 redis_answers

# Each instance: the shared store, an id of its own (the prefix of its job ids, and the "instance" of GET /), and a
# loopback port of its own. The id is on the command line, so that `pkill -f instance-id=b2` finds the process.
for id in "${ids[@]}"; do
    THREADLAB_STORE=redis QUARKUS_REDIS_HOSTS="redis://127.0.0.1:$redis_port" \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="${port_of[$id]}" \
        "$JAVA_HOME/bin/java" -Dthreadlab.instance-id="$id" -jar target/quarkus-app/quarkus-run.jar > "$work/$id.log" 2>&1 &
    pid_of[$id]=$!
    pids+=($!)
done
for id in "${ids[@]}"; do
    wait_for "instance $id" "${pid_of[$id]}" "$work/$id.log" 120 \
        curl -fsS "http://127.0.0.1:${port_of[$id]}/q/health/ready"
done

# The compose balancer's file with loopback addresses; its resolvers section (Docker's DNS) is last and dropped.
sed -e "s|^\( *bind \):8080\$|\1127.0.0.1:$balancer_port|" \
    -e "s|^\( *bind \):8404\$|\1127.0.0.1:$stats_port|" \
    -e "s| resolvers docker init-addr [^ ]*||" \
    -e "s|threadlab-a1:8080|127.0.0.1:$a1_port|" \
    -e "s|threadlab-b2:8080|127.0.0.1:$b2_port|" \
    -e "s|threadlab-c3:8080|127.0.0.1:$c3_port|" \
    -e '/^resolvers /,$d' \
    deploy/haproxy/haproxy.cfg > "$work/haproxy.cfg"
if [ "$(grep -c '^ *server [a-z0-9]* 127\.0\.0\.1:[0-9]*$' "$work/haproxy.cfg")" != 3 ] \
    || [ "$(grep -c '^ *bind 127\.0\.0\.1:[0-9]*$' "$work/haproxy.cfg")" != 2 ] \
    || grep -v '^ *#' "$work/haproxy.cfg" | grep -q 'threadlab-\|resolvers'; then
    fail "deploy/haproxy/haproxy.cfg no longer has the shape this script rewrites (bind :8080, bind :8404, servers
threadlab-a1/b2/c3:8080, a last resolvers section): $(cat "$work/haproxy.cfg")"
fi
haproxy -c -q -f "$work/haproxy.cfg" > "$work/haproxy-check.log" 2>&1 \
    || fail_with_log "$work/haproxy-check.log" "haproxy refuses the balancer's configuration"
haproxy -db -f "$work/haproxy.cfg" > "$work/haproxy.log" 2>&1 &
pids+=($!)
wait_for HAProxy $! "$work/haproxy.log" 20 curl -fsS "http://127.0.0.1:$balancer_port/q/health/ready"

sed -e "s|\"threadlab-a1:8080\"|\"127.0.0.1:$a1_port\"|" \
    -e "s|\"threadlab-b2:8080\"|\"127.0.0.1:$b2_port\"|" \
    -e "s|\"threadlab-c3:8080\"|\"127.0.0.1:$c3_port\"|" \
    deploy/prometheus/prometheus-cluster.yml > "$work/prometheus.yml"
[ "$(grep -o '"127\.0\.0\.1:[0-9]*"' "$work/prometheus.yml" | wc -l)" = 3 ] \
    || fail "deploy/prometheus/prometheus-cluster.yml no longer has the targets this script rewrites (threadlab-a1/b2/c3:8080)"
cp deploy/prometheus/alerts.yml "$work/alerts.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus-data" \
    --web.listen-address=127.0.0.1:"$prometheus_port" > "$work/prometheus.log" 2>&1 &
pids+=($!)
prometheus_pid=$!
up_targets() { curl -fsS "http://127.0.0.1:$prometheus_port/api/v1/targets?state=active" | grep -o '"health":"up"' | wc -l; }
all_scraped() { [ "$(up_targets)" -eq 3 ]; }
wait_for "Prometheus (three targets up)" $prometheus_pid "$work/prometheus.log" 60 all_scraped

start_grafana "$prometheus_port" "$grafana_port" "$work"

# What the balancer does: six requests in a row, and which instance answered each (GET / names it; the HTTP status
# where none did).
rotation=""
for _ in 1 2 3 4 5 6; do
    answer=$(curl -sS -w ' %{http_code}' "http://127.0.0.1:$balancer_port/" 2>&1 || true)
    answered=$(grep -o '"instance":"[^"]*"' <<< "$answer" | head -n 1 | cut -d'"' -f4 || true)
    rotation+="${answered:-(${answer##* })} "
done

# Whether the instances really share the store: each must report threadlab_store_up{store="redis"} 1.
store_report=""
for id in "${ids[@]}"; do
    line=$(curl -fsS "http://127.0.0.1:${port_of[$id]}/q/metrics" 2>/dev/null | grep '^threadlab_store_up{' | head -n 1 || true)
    case "$line" in
        *'store="redis"'*' 1'|*'store="redis"'*' 1.0') ;;
        "") store_report+="
WARNING: $id exports no threadlab_store_up: this build has no shared store, so each instance knows only the jobs
         it accepted, and a job read through the balancer may be answered 404 by another instance." ;;
        *) store_report+="
WARNING: $id reports $line: it is not using Redis as its store." ;;
    esac
done

cat <<INFO
threadlab cluster, three instances sharing Redis; everything under $work
  balancer    http://127.0.0.1:$balancer_port   round robin over a1 b2 c3; six GET / answered by: ${rotation% }
              HAProxy stats http://127.0.0.1:$stats_port, log $work/haproxy.log
  a1          http://127.0.0.1:$a1_port   pid ${pid_of[a1]}, log $work/a1.log
  b2          http://127.0.0.1:$b2_port   pid ${pid_of[b2]}, log $work/b2.log
  c3          http://127.0.0.1:$c3_port   pid ${pid_of[c3]}, log $work/c3.log
  Redis       127.0.0.1:$redis_port (no persistence), log $work/redis.log
  Prometheus  http://127.0.0.1:$prometheus_port   $(up_targets) of 3 targets up (alerts: /classic/alerts in Debian's build, /alerts elsewhere); log $work/prometheus.log
  Grafana     $grafana${store_report}
Watch a failover: kill ${pid_of[b2]} (b2 drains; HAProxy takes it out of rotation within 2 s).
Ctrl-C stops everything and removes $work.
INFO
wait
