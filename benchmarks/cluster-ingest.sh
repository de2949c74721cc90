#!/usr/bin/env bash
# Ingest CPU per frame on a cluster node against a single node (issue 14: within 10 %).
#
# All on PostgreSQL (a cluster needs it): FLEETGATE_DB_URL names a database this may fill (unset: a fresh one,
# dropped after the run); the single node and the cluster run one after the other on it. Three rows, MQTT QoS 0 binary from UNITS units on node A:
#   single   one gateway, no cluster.members
#   cluster  three nodes, no event stream anywhere (nothing crosses nodes)
#   stream   three nodes, an SSE stream of the units' fleet open on node B (every frame's event goes to B)
# Node A's utime+stime (/proc/PID/stat) between the simulator's `MARK sending` and `MARK drained`, divided by
# the frames A counted as accepted. The simulator and the other nodes share the machine: compare rows of one run.
#
# Nodes B and C start after the units are provisioned through A and load fleet, client and vehicles from the
# database, as a node joining a running cluster does (provisioning does not go through three write barriers).
#
# Environment: UNITS (100), DURATION (20 s), WARMUP (20 s), TARGET_RATE (3000 frames/s), SSE_BUFFER (200000),
# FLEETGATE_DB_URL, GATEWAY_OPTS, SIM_OPTS,
# START_TIMEOUT (60 s: how long a node may take to listen), KEEP_WORK (set: keep the logs).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib-gateway.sh

UNITS=${UNITS:-100}
DURATION=${DURATION:-20}
TARGET_RATE=${TARGET_RATE:-3000} # frames/s in all: the same load in every row, one the stream on B keeps up with
WARMUP=${WARMUP:-20}
GATEWAY_OPTS=${GATEWAY_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch}
WORK=$(mktemp -d)
echo "work directory $WORK" >&2
PIDS=()
stop_all() {
  for p in "${PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${PIDS[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  PIDS=()
}
trap 'stop_all; [[ -n ${FRESH_DB:-} ]] && drop_database; [[ -n ${KEEP_WORK:-} ]] || rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
if [[ -z ${FLEETGATE_DB_URL:-} ]]; then
  FRESH_DB=1
  fresh_database
fi
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/jwt.pem" 2>/dev/null
export FLEETGATE_JWT_KEY="$WORK/jwt.pem"
# a stream that falls behind on a loaded machine is dropped after this many events; the measurement needs it whole
export FLEETGATE_EVENTS_SSE_BUFFER_EVENTS=${SSE_BUFFER:-200000}
CLUSTER_NAME="bench-$RANDOM$RANDOM"
CLUSTER_MEMBERS="127.0.0.1:25801,127.0.0.1:25802,127.0.0.1:25803"

# node I [cluster]: node I (0..2), a cluster member when "cluster" is given; its pid in NODE_PID
node() {
  if [[ ${2:-} == cluster ]]; then cluster_node "$1"; else cluster_node "$1" single; fi
  NODE_PID=$GW_PID
  PIDS+=("$NODE_PID")
}

simulate() {
  timeout $((DURATION + WARMUP + 600)) java ${SIM_OPTS:-$DEFAULT_SIM_OPTS} -jar "$JAR" simulate --host 127.0.0.1 --port 21884 \
    --units "$UNITS" --unit-prefix "$PREFIX-" --mode load --target-rate "$TARGET_RATE" --window 32 \
    --api-url "http://127.0.0.1:28080" --admin-id "$ADMIN_ID" --admin-secret "$ADMIN_SECRET" \
    --fleet-id "$PREFIX-fleet" --report-every 10 --qos 0 --format binary "$@"
}

frames_on() {
  curl -s "http://127.0.0.1:$1/metrics" | awk '/^fleetgate_frames_accepted_total\{/ { s += $NF } END { printf "%.0f", s }'
}

rows=()
# measure LABEL: one run against node A (pid A_PID), after a warm-up
measure() {
  local label=$1 cpu0="" cpu1="" n0=0 n1=0 line
  simulate --duration "$WARMUP" >/dev/null
  while IFS= read -r line; do
    case "$line" in
      "MARK sending") cpu0=$(cpu_us "$A_PID"); n0=$(frames_on 28080) ;;
      "MARK drained") sleep 1; cpu1=$(cpu_us "$A_PID"); n1=$(frames_on 28080) ;;
      *) ;;
    esac
  done < <(simulate --duration "$DURATION")
  local frames=$((n1 - n0)) cpu=$((cpu1 - cpu0))
  rows+=("| $label | $frames | $(awk -v f="$frames" -v d="$DURATION" 'BEGIN { printf "%.0f", f / d }') | $(awk -v c="$cpu" -v f="$frames" 'BEGIN { printf "%.2f", c / f }') |")
  echo "${rows[-1]}" >&2
}

build_if_needed

# 1. a single node
PREFIX=cbench1-$RANDOM
node 0
A_PID=$NODE_PID
simulate --provision-only >/dev/null
measure "single node"
stop_all

# 2. three nodes; the units' fleet gets an events client before B and C start (they load it)
PREFIX=cbench2-$RANDOM
node 0 cluster
A_PID=$NODE_PID
simulate --provision-only >/dev/null
admin=$(curl -sf -u "$ADMIN_ID:$ADMIN_SECRET" -d grant_type=client_credentials http://127.0.0.1:28080/auth/oauth/token | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
client=$(curl -sf -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"name":"watcher","permissions":["events"]}' "http://127.0.0.1:28080/fleets/$PREFIX-fleet/api-clients")
client_id=$(sed 's/.*"client_id":"\([^"]*\)".*/\1/' <<<"$client")
client_secret=$(sed 's/.*"client_secret":"\([^"]*\)".*/\1/' <<<"$client")
node 1 cluster
node 2 cluster
measure "3 nodes, no stream elsewhere"

token=$(curl -sf -u "$client_id:$client_secret" -d grant_type=client_credentials http://127.0.0.1:28081/auth/oauth/token | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
curl -sN -H "Authorization: Bearer $token" "http://127.0.0.1:28081/events/stream?types=VehicleStateRecorded" >"$WORK/stream.txt" &
PIDS+=("$!")
sleep 7 # the interest notice reaches A (at once; the refresh every 5 s at the latest)
measure "3 nodes, a stream of the fleet on node B"
received=$(curl -s http://127.0.0.1:28081/metrics | awk '/^fleetgate_cluster_events_total\{direction="received"/ { print $NF }')
echo "node B received $received events from other nodes; the stream file has $(grep -c '^data: ' "$WORK/stream.txt" || true) events" >&2

echo
echo "| setup | frames accepted by node A | frames/s | node A CPU µs/frame |"
echo "| --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
