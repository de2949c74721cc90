#!/usr/bin/env bash
# Synchronous command round trip through a cluster (issue 14: REST on one node, the unit on another, p99 <= 25 ms
# at 1,000 commands/s), beside the same load on a single node and with REST on the unit's own node.
#
# All on PostgreSQL (a cluster needs it): a fresh database is made for the run and dropped after it. Rows:
#   single node          one gateway, no cluster.members; REST and units on it
#   3 nodes, same node   REST on node A, units on node A
#   3 nodes, cross node  REST on node A, units on node B (every command and its result cross the event bus)
# Each row: `fleetgate simulate --mode commands --provision`: UNITS vehicles provisioned through A, their units
# connected to the row's node answering at once, RATE synchronous commands/s round robin for DURATION s after
# WARMUP s at the same rate (not measured), every REST round trip in an HdrHistogram. The simulator, the three
# nodes and PostgreSQL share the machine: compare rows of one run.
#
# Environment: UNITS (100), RATE (1000), DURATION (30 s), WARMUP (40 s), GATEWAY_OPTS, SIM_OPTS,
# START_TIMEOUT (60 s), KEEP_WORK (set: keep the logs).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib-gateway.sh

UNITS=${UNITS:-100}
RATE=${RATE:-1000}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-40}
GATEWAY_OPTS=${GATEWAY_OPTS:--Xms512m -Xmx1g}
WORK=$(mktemp -d)
PIDS=()
stop_all() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  stop_all
  drop_database
  [[ -n ${KEEP_WORK:-} ]] && echo "logs kept in $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fresh_database
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/jwt.pem" 2>/dev/null
export FLEETGATE_JWT_KEY="$WORK/jwt.pem"
CLUSTER_NAME="cmdbench-$RANDOM$RANDOM"
CLUSTER_MEMBERS="127.0.0.1:25801,127.0.0.1:25802,127.0.0.1:25803"

# node I [single]: node I (0..2) of the cluster, or a single node
node() {
  cluster_node "$@"
  PIDS+=("$GW_PID")
}

rows=()
# run LABEL UNIT_NODE: REST on node 0 (A), units on node UNIT_NODE
run() {
  local label=$1 unit_node=$2 prefix=cmd$RANDOM result="" line
  while IFS= read -r line; do
    case "$line" in
      RESULT*) result=$line ;;
      *) echo "  $line" >&2 ;;
    esac
  done < <(timeout $((DURATION + WARMUP + 600)) $LATENCY_SIM_PREFIX java ${SIM_OPTS:-$DEFAULT_SIM_OPTS} -jar "$JAR" simulate \
    --host 127.0.0.1 --port $((21884 + unit_node)) --units "$UNITS" --unit-prefix "$prefix-" --mode commands --provision \
    --command-rate "$RATE" --warmup "$WARMUP" --duration "$DURATION" --api-url "http://127.0.0.1:28080" \
    --admin-id "$ADMIN_ID" --admin-secret "$ADMIN_SECRET" --fleet-id "$prefix-fleet" --report-every 10)
  if [[ -z "$result" ]]; then
    echo "the simulator did not complete (see above)" >&2
    exit 1
  fi
  f() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$result"; }
  rows+=("| $label | $UNITS | $RATE | $(f rate) | $(f p50_ms) | $(f p99_ms) | $(f max_ms) | $(f ok) |")
  echo "${rows[-1]}" >&2
}

build_if_needed
node 0 single
run "single node" 0
stop_all

node 0
node 1
node 2
sleep 5 # every member sees the others (the nodes start one after the other)
run "3 nodes, REST and units on A" 0
run "3 nodes, REST on A, units on B" 1
sent=$(curl -s http://127.0.0.1:28080/metrics | awk '/^fleetgate_cluster_commands_total\{direction="sent"/ { print $NF }')
echo "node A sent $sent commands to other nodes" >&2

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "commit $commit, $(date -u +%F)"
echo "| setup | units | target/s | achieved/s | p50 ms | p99 ms | max ms | 200 answers |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
