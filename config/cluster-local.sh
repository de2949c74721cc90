#!/usr/bin/env bash
# A local three-node cluster on this machine against the local PostgreSQL (the README's cluster quick start).
#
#   config/cluster-local.sh start   # builds target/fleetgate.jar if missing, starts nodes 1-3, waits until ready
#   config/cluster-local.sh status  # /health/ready of each node
#   config/cluster-local.sh sim [simulate options…]
#                                   # provisions UNITS units (default 30) through node 1's API and runs them at
#                                   # RATE frames/s (default 1) for DURATION s (default 600), spread over the
#                                   # three MQTT ports; a unit whose node dies reconnects to the next one
#   config/cluster-local.sh spread  # open MQTT connections per node (fleetgate_mqtt_connections of each /metrics)
#   config/cluster-local.sh stop    # stops the three nodes (kill -9 one yourself to watch a node die)
#
# Node n (1-3): HTTP 808n, MQTT 188(3+n) (1884-1886), TCP 510(n-1) (5100-5102), Hazelcast 570n.
# Shared by the nodes: the database DB_URL (default postgresql://postgres@127.0.0.1:5432/fleetgate_cluster,
# created if missing), the token key and the administrator, both made once in STATE_DIR (default
# .fleetgate-cluster/, git-ignored) and printed at start. Logs: STATE_DIR/node<n>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

STATE_DIR=${STATE_DIR:-.fleetgate-cluster}
DB_URL=${DB_URL:-postgresql://postgres@127.0.0.1:5432/fleetgate_cluster}
JAR=${JAR:-target/fleetgate.jar}
MEMBERS=127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703

http_port() { echo $((8080 + $1)); }
mqtt_port() { echo $((1883 + $1)); }
tcp_port() { echo $((5099 + $1)); }

start() {
  mkdir -p "$STATE_DIR"
  [[ -f $JAR ]] || mvn -B -q package -DskipTests
  if [[ ! -f $STATE_DIR/jwt.pem ]]; then
    openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$STATE_DIR/jwt.pem"
  fi
  if [[ ! -f $STATE_DIR/admin ]]; then
    echo "cluster-admin $(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)" >"$STATE_DIR/admin"
  fi
  read -r admin_id admin_secret <"$STATE_DIR/admin"
  local db=${DB_URL##*/}
  if ! psql -q "${DB_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    psql -q "${DB_URL%/*}/postgres" -c "CREATE DATABASE $db"
  fi
  local n
  for n in 1 2 3; do
    if [[ -f $STATE_DIR/node$n.pid ]] && kill -0 "$(cat "$STATE_DIR/node$n.pid")" 2>/dev/null; then
      echo "node $n is running already (pid $(cat "$STATE_DIR/node$n.pid"))"
      continue
    fi
    FLEETGATE_DB_URL=$DB_URL FLEETGATE_JWT_KEY=$STATE_DIR/jwt.pem \
    FLEETGATE_ADMIN_CLIENT_ID=$admin_id FLEETGATE_ADMIN_CLIENT_SECRET=$admin_secret \
    FLEETGATE_CLUSTER_MEMBERS=$MEMBERS FLEETGATE_CLUSTER_PORT=$((5700 + n)) \
    FLEETGATE_HTTP_PORT=$(http_port $n) FLEETGATE_MQTT_PORT=$(mqtt_port $n) FLEETGATE_TCP_PORT=$(tcp_port $n) \
      nohup java -Xmx1g -jar "$JAR" run >"$STATE_DIR/node$n.log" 2>&1 &
    echo $! >"$STATE_DIR/node$n.pid"
    # one after the other: the first bootstraps the administrator, the others find it
    wait_ready "$n"
  done
  echo "administrator: client_id $admin_id, client_secret $admin_secret"
  echo "nodes: http://127.0.0.1:8081 / 8082 / 8083, MQTT 1884 / 1885 / 1886, TCP 5100 / 5101 / 5102"
}

wait_ready() {
  local n=$1 deadline=$((SECONDS + 120))
  until curl -sf "http://127.0.0.1:$(http_port "$n")/health/ready" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$STATE_DIR/node$n.pid")" 2>/dev/null; then
      echo "node $n exited:" >&2
      tail -n 5 "$STATE_DIR/node$n.log" >&2
      exit 1
    fi
    ((SECONDS < deadline)) || { echo "node $n not ready within 120 s (see $STATE_DIR/node$n.log)" >&2; exit 1; }
    sleep 0.5
  done
  echo "node $n ready: http $(http_port "$n"), mqtt $(mqtt_port "$n"), tcp $(tcp_port "$n"), pid $(cat "$STATE_DIR/node$n.pid")"
}

sim() {
  [[ -f $STATE_DIR/admin ]] || { echo "no cluster here: run $0 start first" >&2; exit 1; }
  read -r admin_id admin_secret <"$STATE_DIR/admin"
  local units=${UNITS:-30} rate=${RATE:-1} duration=${DURATION:-600}
  # provisioning is idempotent (existing vehicles are kept), so a second run reuses the same units
  java -jar "$JAR" simulate --provision --api-url "http://127.0.0.1:$(http_port 1)" \
    --admin-id "$admin_id" --admin-secret "$admin_secret" --fleet-id cluster-sim --unit-prefix cluster-sim- \
    --units "$units" --rate "$rate" --duration "$duration" --report-every 2 \
    --gateways "127.0.0.1:$(mqtt_port 1),127.0.0.1:$(mqtt_port 2),127.0.0.1:$(mqtt_port 3)" "$@"
}

spread() {
  local n
  for n in 1 2 3; do
    printf 'node %s: ' "$n"
    curl -s "http://127.0.0.1:$(http_port "$n")/metrics" | awk '/^fleetgate_mqtt_connections/ {s += $2} END {print s + 0 " MQTT connections"}' \
      || echo "not answering"
  done
}

status() {
  local n
  for n in 1 2 3; do
    printf 'node %s: ' "$n"
    curl -s "http://127.0.0.1:$(http_port "$n")/health/ready" || echo "not answering"
    echo
  done
}

stop() {
  local n p
  for n in 1 2 3; do
    [[ -f $STATE_DIR/node$n.pid ]] || continue
    p=$(cat "$STATE_DIR/node$n.pid")
    kill "$p" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    rm -f "$STATE_DIR/node$n.pid"
    echo "node $n stopped"
  done
}

case "${1:-}" in
  start) start ;;
  status) status ;;
  sim) shift; sim "$@" ;;
  spread) spread ;;
  stop) stop ;;
  *) echo "usage: $0 start|status|sim [simulate options]|spread|stop" >&2; exit 2 ;;
esac
