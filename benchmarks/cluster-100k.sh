#!/usr/bin/env bash
# 100,000 connected units across a cluster on this machine (issue 14), with heap and RSS per connection.
#
# One process may open only 20,000 files here, so NODES nodes (6) of UNITS/NODES units each, and one simulator
# process per node, each connecting from 4 loopback source addresses of its own (127.0.<n+1>.1-4) so that no
# address runs out of ephemeral ports. All on PostgreSQL (a cluster needs it; a fresh database, dropped after).
#   1. node A alone provisions the units through its REST API (NODES groups, prefixes big<n>-), cheap Argon2
#      parameters as in every benchmark (lib-gateway.sh): this measures connections, not hashing;
#   2. the other nodes start and load the working set (every vehicle) from the database;
#   3. heap after a full GC and RSS of every node (baseline), then every simulator connects its units idle
#      (subscribed to their command topic, keep-alive only) at CONNECT_RATE/s, all at once;
#   4. once every simulator reports its units connected: the nodes' connection gauges, members, heap and RSS.
#
# Environment: UNITS (100000), NODES (6), CONNECT_RATE (600 per simulator), HOLD (30 s), GATEWAY_OPTS
# (-Xms1500m -Xmx1500m), SIM_OPTS (-Xmx1g), START_TIMEOUT (180 s), KEEP_WORK (set: keep the logs).
set -euo pipefail
cd "$(dirname "$0")/.."
START_TIMEOUT=${START_TIMEOUT:-180}
source benchmarks/lib-gateway.sh

UNITS=${UNITS:-100000}
NODES=${NODES:-6}
PER=$((UNITS / NODES))
CONNECT_RATE=${CONNECT_RATE:-600}
HOLD=${HOLD:-30}
GATEWAY_OPTS=${GATEWAY_OPTS:--Xms1500m -Xmx1500m}
SIM_OPTS=${SIM_OPTS:--Xmx1g}
WORK=$(mktemp -d)
NODE_PIDS=()
SIM_PIDS=()
stop_all() {
  for p in "${SIM_PIDS[@]}" "${NODE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${SIM_PIDS[@]}" "${NODE_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  SIM_PIDS=(); NODE_PIDS=()
}
cleanup() {
  stop_all
  drop_database
  [[ -n ${KEEP_WORK:-} ]] && echo "logs kept in $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if (( $(ulimit -n) < PER + 2000 )); then
  ulimit -n $((PER + 2000)) 2>/dev/null || { echo "need ulimit -n >= $((PER + 2000)) (now $(ulimit -n))" >&2; exit 1; }
fi
fresh_database
export FLEETGATE_DB_POOL_SIZE=${DB_POOL_SIZE:-8} # six nodes share PostgreSQL's 100 connections
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/jwt.pem" 2>/dev/null
export FLEETGATE_JWT_KEY="$WORK/jwt.pem"
CLUSTER_NAME="big-$RANDOM$RANDOM"
CLUSTER_MEMBERS=$(for ((i = 0; i < NODES; i++)); do printf '127.0.0.1:%d,' $((25801 + i)); done)
CLUSTER_MEMBERS=${CLUSTER_MEMBERS%,}

node() {
  cluster_node "$1"
  NODE_PIDS+=("$GW_PID")
}
sim_args() { # sim_args N: the simulator of group N, against node N
  echo --host 127.0.0.1 --port $((21884 + $1)) --units "$PER" --unit-prefix "big$1-" --fleet-id big-fleet \
    --api-url http://127.0.0.1:28080 --admin-id "$ADMIN_ID" --admin-secret "$ADMIN_SECRET"
}
gauge() { # gauge PORT NAME: the sum of a metric's samples on a node
  curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf "%.0f", s }'
}

build_if_needed
node 0
t0=$SECONDS
for ((n = 0; n < NODES; n++)); do
  timeout 3600 java $SIM_OPTS -jar "$JAR" simulate $(sim_args $n) --provision-only >"$WORK/provision$n.log" 2>&1
done
echo "provisioned $UNITS units through node A in $((SECONDS - t0)) s" >&2
t0=$SECONDS
for ((i = 1; i < NODES; i++)); do node "$i"; done
echo "nodes 2-$NODES started (each loaded the working set) in $((SECONDS - t0)) s" >&2
sleep 10
heap0=(); rss0=()
for ((i = 0; i < NODES; i++)); do heap0+=("$(heap_used_kib "${NODE_PIDS[$i]}")"); rss0+=("$(rss_kib "${NODE_PIDS[$i]}")"); done

t0=$SECONDS
for ((n = 0; n < NODES; n++)); do
  env --default-signal=QUIT timeout $((PER / CONNECT_RATE + HOLD + 600)) java $SIM_OPTS -jar "$JAR" simulate $(sim_args $n) --idle \
    --source-addresses "127.0.$((n + 1)).1-127.0.$((n + 1)).4" --connect-rate "$CONNECT_RATE" --duration $((PER / CONNECT_RATE + HOLD + 120)) \
    --report-every 10 >"$WORK/sim$n.log" 2>&1 &
  SIM_PIDS+=("$!")
done
deadline=$((SECONDS + PER / CONNECT_RATE + 600))
while :; do
  done_sims=$(grep -l "units connected (" "$WORK"/sim*.log 2>/dev/null | wc -l || true)
  ((done_sims >= NODES)) && break
  ((SECONDS > deadline)) && { echo "not every simulator finished connecting" >&2; break; }
  sleep 2
done
connect_s=$((SECONDS - t0))
grep -h "units connected (" "$WORK"/sim*.log >&2 || true
sleep 10
total=0
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "commit $commit, $(date -u +%F): $UNITS units over $NODES nodes, connected in $connect_s s (every simulator at $CONNECT_RATE/s)"
echo "| node | MQTT connections | members seen | heap after GC MiB (before → after) | KiB heap / connection | RSS MiB (before → after) | KiB RSS / connection |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for ((i = 0; i < NODES; i++)); do
  c=$(gauge $((28080 + i)) fleetgate_mqtt_connections)
  m=$(gauge $((28080 + i)) fleetgate_cluster_members)
  h=$(heap_used_kib "${NODE_PIDS[$i]}")
  r=$(rss_kib "${NODE_PIDS[$i]}")
  total=$((total + c))
  awk -v i="$i" -v c="$c" -v m="$m" -v h0="${heap0[$i]}" -v h="$h" -v r0="${rss0[$i]}" -v r="$r" 'BEGIN {
    printf "| %d | %d | %d | %.0f → %.0f | %.1f | %.0f → %.0f | %.1f |\n", i + 1, c, m, h0 / 1024, h / 1024,
      c ? (h - h0) / c : 0, r0 / 1024, r / 1024, c ? (r - r0) / c : 0 }'
done
echo "connected in all: $total of $UNITS"
