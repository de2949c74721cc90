#!/usr/bin/env bash
# What a node's kill -9 costs in time (issue 14): three gateway processes on a fresh PostgreSQL database, node C
# (the victim) under MQTT QoS 1 load from UNITS simulated units plus one command unit (mosquitto_sub), then
# `kill -9` of C. Measured from the kill, polling every 50 ms:
#   (a) gone      both survivors show fleetgate_cluster_members 2 on /metrics
#   (b) offline   none of the simulated units' vehicles reads ONLINE through survivor A (the simulator keeps
#                 retrying the dead node's port, so these units stay away)
#   (c) command   a command queued through A (async, 202) right after the kill reaches the command unit, which
#                 reconnects to survivor B at once (mosquitto_sub); it must arrive exactly once in WATCH seconds
# ROUNDS rounds (each with its own three nodes and database). Prints one table row per round and the median.
#
# Environment: ROUNDS (3), UNITS (50), TARGET_RATE (1000 frames/s over all units), FAILURE_DETECTION (10 s, the
# product default; cluster.failureDetectionSeconds), WATCH (10 s), PG_URL (postgresql://postgres@127.0.0.1:5432:
# where the per-round databases are created and dropped), GATEWAY_OPTS (-Xms512m -Xmx512m), SIM_OPTS,
# START_TIMEOUT (120 s per node), KEEP_WORK (set: keep the logs and the databases).
# Needs mosquitto_sub (mosquitto-clients), curl, psql, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib-gateway.sh

ROUNDS=${ROUNDS:-3}
UNITS=${UNITS:-50}
TARGET_RATE=${TARGET_RATE:-1000}
FAILURE_DETECTION=${FAILURE_DETECTION:-10}
WATCH=${WATCH:-10}
PG_URL=${PG_URL:-postgresql://postgres@127.0.0.1:5432}
GATEWAY_OPTS=${GATEWAY_OPTS:--Xms512m -Xmx512m}
START_TIMEOUT=${START_TIMEOUT:-120}
PASSWORD=kill-bench-unit-password
WORK=$(mktemp -d)
echo "work directory $WORK" >&2
PIDS=()
DATABASES=()
stop_all() {
  local p
  for p in "${PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${PIDS[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  PIDS=()
}
cleanup() {
  stop_all
  if [[ -z ${KEEP_WORK:-} ]]; then
    local db
    for db in "${DATABASES[@]}"; do
      psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
command -v mosquitto_sub >/dev/null || { echo "mosquitto_sub is needed (apt-get install mosquitto-clients)" >&2; exit 1; }
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/jwt.pem" 2>/dev/null
export FLEETGATE_JWT_KEY="$WORK/jwt.pem"
export FLEETGATE_CLUSTER_FAILURE_DETECTION_SECONDS=$FAILURE_DETECTION
MEMBERS="127.0.0.1:25811,127.0.0.1:25812,127.0.0.1:25813"
http_port() { echo $((29080 + $1)); }
mqtt_port() { echo $((29884 + $1)); }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# node I ROUND: starts node I (0..2) and waits until it is ready; its pid in NODE_PIDS[I]
NODE_PIDS=()
node() {
  local i=$1 round=$2 deadline
  FLEETGATE_CLUSTER_MEMBERS=$MEMBERS FLEETGATE_CLUSTER_PORT=$((25811 + i)) FLEETGATE_CLUSTER_NAME=$CLUSTER_NAME \
  HTTP_PORT=$(http_port "$i") MQTT_PORT=$(mqtt_port "$i") TCP_PORT=$((29100 + i)) START_TIMEOUT=$START_TIMEOUT \
    start_gateway "$WORK/round$round-node$i.log" $GATEWAY_OPTS || { kill "$GW_PID" 2>/dev/null; return 1; }
  NODE_PIDS[i]=$GW_PID
  PIDS+=("$GW_PID")
  deadline=$((SECONDS + START_TIMEOUT))
  until curl -sf "http://127.0.0.1:$(http_port "$i")/health/ready" >/dev/null; do
    ((SECONDS < deadline)) || { echo "node $i not ready (see $WORK/round$round-node$i.log)" >&2; return 1; }
    sleep 0.2
  done
}

members() {
  curl -s --max-time 2 "http://127.0.0.1:$(http_port "$1")/metrics" | awk '/^fleetgate_cluster_members / { printf "%d", $2 }'
}

# rest NODE METHOD TOKEN PATH [BODY] [extra curl args...]: the body of the answer
rest() {
  local n=$1 method=$2 tok=$3 path=$4 body=${5:-}
  shift 5 2>/dev/null || shift $#
  curl -sf --max-time 30 -X "$method" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    ${body:+-d "$body"} "$@" "http://127.0.0.1:$(http_port "$n")$path"
}
token_on() { curl -sf -u "$2:$3" -d grant_type=client_credentials "http://127.0.0.1:$(http_port "$1")/auth/oauth/token" | json "['access_token']"; }

# online_count NODE TOKEN PREFIX: the vehicles of units named PREFIX* that read ONLINE through NODE
online_count() {
  rest "$1" GET "$2" "/vehicles?life_status=ONLINE&q=$3&limit=500" | python3 -c "import json,sys; print(len(json.load(sys.stdin)['items']))"
}

build_if_needed
rows=()
for round in $(seq "$ROUNDS"); do
  CLUSTER_NAME="kill-bench-$RANDOM$RANDOM"
  DB="fleetgate_kill_bench_$RANDOM$RANDOM"
  psql -q "$PG_URL/postgres" -c "CREATE DATABASE $DB" >/dev/null
  DATABASES+=("$DB")
  export FLEETGATE_DB_URL="$PG_URL/$DB"
  PREFIX=kb$round-$RANDOM
  node 0 "$round"
  node 1 "$round"
  node 2 "$round"
  for i in 0 1 2; do
    until [[ $(members "$i") == 3 ]]; do sleep 0.2; done
  done

  # the simulated units (their fleet and vehicles through node A), and the command unit in a fleet of its own
  java ${SIM_OPTS:-} -jar "$JAR" simulate --provision-only --units "$UNITS" --unit-prefix "$PREFIX-" \
    --api-url "http://127.0.0.1:$(http_port 0)" --admin-id "$ADMIN_ID" --admin-secret "$ADMIN_SECRET" \
    --fleet-id "$PREFIX-fleet" --password "$PASSWORD" >"$WORK/round$round-provision.log" 2>&1
  admin=$(token_on 0 "$ADMIN_ID" "$ADMIN_SECRET")
  client=$(rest 0 POST "$admin" "/fleets/$PREFIX-fleet/api-clients" \
    '{"name": "kill-bench", "permissions": ["vehicles", "vehicle-lifecycle", "vehicle-commands"]}')
  fleet_token=$(token_on 0 "$(json "['client_id']" <<<"$client")" "$(json "['client_secret']" <<<"$client")")
  unit="cmd-$PREFIX" # not matched by the filter q=$PREFIX- of the simulated units
  vehicle=$(rest 0 POST "$fleet_token" /vehicles "{\"telematics_unit\": {\"id\": \"$unit\", \"brand\": \"NIU\", \"model\": \"N1\",
    \"manufacturer\": \"INVERS\", \"type\": \"RETROFIT\", \"password\": \"$PASSWORD\"}, \"vehicle_model_id\": \"niu-nqi-gts\"}" | json "['id']")

  # load on node C; the command unit there too
  java ${SIM_OPTS:-} -jar "$JAR" simulate --host 127.0.0.1 --port "$(mqtt_port 2)" --units "$UNITS" --unit-prefix "$PREFIX-" \
    --password "$PASSWORD" --mode load --target-rate "$TARGET_RATE" --window 16 --qos 1 --format json --duration 600 \
    >"$WORK/round$round-sim.log" 2>&1 &
  PIDS+=("$!")
  mosquitto_sub -h 127.0.0.1 -p "$(mqtt_port 2)" -i "$unit" -u "$unit" -P "$PASSWORD" -q 1 -t "units/$unit/commands" \
    >"$WORK/round$round-on-victim.txt" 2>&1 &
  PIDS+=("$!")
  deadline=$((SECONDS + 120))
  until [[ $(online_count 0 "$fleet_token" "$PREFIX-") == "$UNITS" && $(online_count 0 "$fleet_token" "cmd-$PREFIX") == 1 ]]; do
    ((SECONDS < deadline)) || { echo "the units did not all come ONLINE (see $WORK)" >&2; exit 1; }
    sleep 0.5
  done
  sleep 5 # load running

  accepted_before=$(curl -s "http://127.0.0.1:$(http_port 2)/metrics" | awk '/^fleetgate_frames_accepted_total\{/ { s += $NF } END { printf "%.0f", s }')
  t0=$(now_ms)
  kill -9 "${NODE_PIDS[2]}"
  { wait "${NODE_PIDS[2]}"; } 2>/dev/null || true # reaped here, without the shell's "Killed" line
  # (c) the queued command through A, the unit back on B at once
  (mosquitto_sub -h 127.0.0.1 -p "$(mqtt_port 1)" -i "$unit" -u "$unit" -P "$PASSWORD" -q 1 -t "units/$unit/commands" -W "$WATCH" \
    | while IFS= read -r line; do echo "$(now_ms) $line"; done >"$WORK/round$round-on-b.txt") 2>/dev/null &
  reconnect=$!
  command_id=$(rest 0 POST "$fleet_token" "/vehicles/$vehicle/commands/lock-top-case" '' -H 'Prefer: respond-async' | json "['command_id']")
  # (a) and (b), polled side by side
  ta=""
  tb=""
  while [[ -z $ta || -z $tb ]]; do
    if [[ -z $ta && $(members 0) == 2 && $(members 1) == 2 ]]; then ta=$(($(now_ms) - t0)); fi
    if [[ -z $tb && $(online_count 0 "$fleet_token" "$PREFIX-") == 0 ]]; then tb=$(($(now_ms) - t0)); fi
    (($(now_ms) - t0 < 120000)) || { echo "not within 120 s: gone=$ta offline=$tb" >&2; exit 1; }
    sleep 0.05
  done
  wait "$reconnect" || true
  deliveries=$(grep -c "$command_id" "$WORK/round$round-on-b.txt" || true)
  if [[ $deliveries -ge 1 ]]; then
    tc=$(($(grep -m1 "$command_id" "$WORK/round$round-on-b.txt" | cut -d' ' -f1) - t0))
  else
    tc="not delivered"
  fi
  status=$(rest 0 GET "$fleet_token" "/vehicles/$vehicle/commands/$command_id" | json "['status']")
  rows+=("| $round | $ta | $tb | $tc | $deliveries | $status | $accepted_before |")
  echo "${rows[-1]}" >&2
  stop_all
done

echo
echo "failure detection ${FAILURE_DETECTION} s, $UNITS units at $TARGET_RATE frames/s (QoS 1 JSON) on the killed node; ms from kill -9"
echo
echo "| round | (a) survivors see it gone | (b) its vehicles OFFLINE | (c) queued command delivered on B | deliveries | command status | frames the victim accepted |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
python3 - "${rows[@]}" <<'EOF'
import statistics, sys
cols = [[r.split('|')[i].strip() for r in sys.argv[1:]] for i in (2, 3, 4)]
med = [statistics.median(int(v) for v in c if v.isdigit()) if any(v.isdigit() for v in c) else '-' for c in cols]
print(f"| median | {med[0]:.0f} | {med[1]:.0f} | {med[2]:.0f} | | | |" if '-' not in med else f"| median | {med} |")
EOF
