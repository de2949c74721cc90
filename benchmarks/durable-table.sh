#!/usr/bin/env bash
# The production-path table (issue 13) in one run: the same MQTT QoS 1 JSON load against the gateway in memory,
# on PostgreSQL, on PostgreSQL + RabbitMQ (one message per event, and batch messages), on RabbitMQ only, and
# against Mosquitto, with the CPU of every process involved per acknowledged frame.
#
# Two load patterns, each driven by LOAD_PROCS simulator processes (`fleetgate simulate --mode load`), each from
# its own loopback source address (127.0.0.2, .3, …) with its own units:
#   flat   FLAT_UNITS connections × FLAT_WINDOW frames in flight, flat out (the issue's "50 × 200");
#   ones   ONES_UNITS units × 1 frame in flight, each at ONES_RATE frames/s (the issue's "1,000 units × 1").
# Every frame is acknowledged only when it is durable: PUBACK after the history commit (PostgreSQL) and after
# the broker's publisher confirm of its VehicleStateRecorded event (RabbitMQ). Mosquitto (started here, no
# persistence, nothing subscribed) PUBACKs on receipt: it is the reference for the gateway's own CPU per frame.
#
# Measured window: from the moment every simulator printed `MARK sending` to the moment the first printed
# `MARK drained` (its acks all in; the others still running). CPU from /proc/PID/stat for the gateway (or Mosquitto), all PostgreSQL
# processes and RabbitMQ (beam.smp); the simulators report their own CPU from sending to drained (cpu_us in their
# SUMMARY); frames = the sum of the simulators' acknowledged rates × the window.
# With RabbitMQ, an event consumer of the fleet (POST /event-consumers) is drained by
# io.fleetgate.sim.EventQueueWatcher during the run, so the broker routes every event into a queue.
#
# Each case gets a fresh PostgreSQL database and RabbitMQ vhost, dropped at the end. The table (markdown) is
# printed on stdout; progress goes to stderr.
#
# Environment: CASES (all: flat-memory flat-pg flat-pg-amqp flat-pg-amqp-batch flat-amqp flat-mosquitto
#   ones-memory ones-pg ones-mosquitto), LOAD_PROCS (2), FLAT_UNITS (50), FLAT_WINDOW (200), ONES_UNITS (1000),
#   ONES_RATE (5 frames/s per unit), DURATION (20 s), WARMUP (10 s), BATCH_EVENTS (32),
#   PG_URL_BASE (postgresql://postgres@127.0.0.1:5432), AMQP_BASE (amqp://guest:guest@127.0.0.1:5672),
#   MOSQUITTO_PORT (51885), HTTP_PORT / MQTT_PORT / TCP_PORT (lib-gateway.sh), GATEWAY_OPTS, SIM_OPTS.
# Needs: psql, rabbitmqctl, mosquitto (the binary only), jcmd, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib-gateway.sh

CASES=${CASES:-flat-memory flat-pg flat-pg-amqp flat-pg-amqp-batch flat-amqp flat-mosquitto ones-memory ones-pg ones-mosquitto}
LOAD_PROCS=${LOAD_PROCS:-2}
FLAT_UNITS=${FLAT_UNITS:-50}
FLAT_WINDOW=${FLAT_WINDOW:-200}
ONES_UNITS=${ONES_UNITS:-1000}
ONES_RATE=${ONES_RATE:-5}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-10}
BATCH_EVENTS=${BATCH_EVENTS:-32}
PG_URL_BASE=${PG_URL_BASE:-postgresql://postgres@127.0.0.1:5432}
AMQP_BASE=${AMQP_BASE:-amqp://guest:guest@127.0.0.1:5672}
MOSQUITTO_PORT=${MOSQUITTO_PORT:-51885}
SIM_JVM=${SIM_OPTS:--Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:MaxTenuringThreshold=2}
WORK=$(mktemp -d)
RUN_ID="fgdur$(date +%s)$$"
DB=""; VHOST=""; MOSQ_PID=""; WATCH_PID=""
cleanup_case() {
  if [[ -n "$WATCH_PID" ]]; then kill "$WATCH_PID" 2>/dev/null || true; wait "$WATCH_PID" 2>/dev/null || true; WATCH_PID=""; fi
  stop_gateway
  if [[ -n "$MOSQ_PID" ]]; then kill "$MOSQ_PID" 2>/dev/null || true; wait "$MOSQ_PID" 2>/dev/null || true; MOSQ_PID=""; fi
  if [[ -n "$DB" ]]; then psql -q "$PG_URL_BASE/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; DB=""; fi
  if [[ -n "$VHOST" ]]; then rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true; VHOST=""; fi
}
trap 'cleanup_case; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date -u +%T)] $*" >&2; }

# Sum of utime+stime (µs) of every process whose pid is listed.
cpu_sum() {
  local total=0 p v
  for p in "$@"; do
    v=$(cpu_us "$p" 2>/dev/null) && total=$((total + v))
  done
  echo "$total"
}
pg_pids() { pgrep -u postgres -x postgres || true; }
rabbit_pids() { pgrep -f beam.smp || true; }

# sims PATTERN PORT PREFIX-BASE SECONDS [extra simulate args]: LOAD_PROCS simulators in the background, each with
# its own source address and unit prefix; their outputs in $WORK/sim.N.out, pids in SIM_PIDS.
SIM_PIDS=()
sims() {
  local pattern=$1 port=$2 prefix=$3 seconds=$4
  shift 4
  local units window rate
  if [[ $pattern == flat ]]; then units=$((FLAT_UNITS / LOAD_PROCS)); window=$FLAT_WINDOW; rate=0
  else units=$((ONES_UNITS / LOAD_PROCS)); window=1; rate=$((ONES_UNITS / LOAD_PROCS * ONES_RATE)); fi
  SIM_PIDS=()
  local i
  for ((i = 0; i < LOAD_PROCS; i++)); do
    timeout $((seconds + 300)) java $SIM_JVM -jar "$JAR" simulate --host 127.0.0.1 --port "$port" \
      --units "$units" --unit-prefix "$prefix$i-" --mode load --window "$window" --target-rate "$rate" \
      --qos 1 --format json --duration "$seconds" --source-addresses "127.0.0.$((i + 2))" --connect-rate 2000 \
      --report-every 5 "$@" >"$WORK/sim.$i.out" 2>&1 &
    SIM_PIDS+=($!)
  done
}

# provision PATTERN PREFIX-BASE: the units of every simulator process, in fleet bench-fleet.
provision() {
  local pattern=$1 prefix=$2 units i
  units=$([[ $pattern == flat ]] && echo $((FLAT_UNITS / LOAD_PROCS)) || echo $((ONES_UNITS / LOAD_PROCS)))
  for ((i = 0; i < LOAD_PROCS; i++)); do
    timeout 900 java $SIM_JVM -jar "$JAR" simulate --host 127.0.0.1 --port "$MQTT_PORT" --units "$units" \
      --unit-prefix "$prefix$i-" --api-url "$API" --admin-id "$ADMIN_ID" --admin-secret "$ADMIN_SECRET" \
      --fleet-id bench-fleet --provision-only >"$WORK/provision.$i.out" 2>&1 \
      || { cat "$WORK/provision.$i.out" >&2; return 1; }
  done
}

count_marks() { grep -l "^$1\$" "$WORK"/sim.*.out 2>/dev/null | wc -l; }

# measure TARGET-PID...: runs while the simulators run; prints "frames seconds target_us pg_us rabbit_us sim_us".
measure() {
  local targets=("$@") p t0 t1 c0 c1 p0 p1 r0 r1 s0 s1 deadline=$((SECONDS + DURATION + 240))
  until (( $(count_marks "MARK sending") == LOAD_PROCS )); do
    (( SECONDS < deadline )) || { grep -hv '^\s*at ' "$WORK"/sim.*.out | tail -n 20 >&2; return 1; }
    sleep 0.05
  done
  t0=$(date +%s.%N); c0=$(cpu_sum "${targets[@]}"); p0=$(cpu_sum $(pg_pids)); r0=$(cpu_sum $(rabbit_pids))
  # until the first simulator is drained: every simulator is still running (and its CPU readable) then
  until (( $(count_marks "MARK drained") >= 1 )); do
    (( SECONDS < deadline )) || { grep -hv '^\s*at ' "$WORK"/sim.*.out | tail -n 20 >&2; return 1; }
    sleep 0.05
  done
  t1=$(date +%s.%N); c1=$(cpu_sum "${targets[@]}"); p1=$(cpu_sum $(pg_pids)); r1=$(cpu_sum $(rabbit_pids))
  # (this runs in a subshell: the simulators are not its children to wait for)
  until (( $(grep -l '^SUMMARY' "$WORK"/sim.*.out 2>/dev/null | wc -l) == LOAD_PROCS )); do
    (( SECONDS < deadline )) || break
    sleep 0.1
  done
  # frames in the window: the sum of the simulators' acknowledged rates (over their own sending time) × its length
  # The simulators' own CPU per acknowledged frame (each measures its process from sending to drained) is
  # scaled to the window's frames.
  local rate=0 f i line sim_cpu=0 sim_frames=0
  for ((i = 0; i < LOAD_PROCS; i++)); do
    line=$(grep '^SUMMARY' "$WORK/sim.$i.out" || true)
    f=$(summary_field "$line" rate_accepted)
    [[ -n "$f" ]] || { echo "simulator $i printed no summary:" >&2; tail -n 5 "$WORK/sim.$i.out" >&2; return 1; }
    rate=$(awk -v a="$rate" -v b="$f" 'BEGIN { print a + b }')
    sim_cpu=$((sim_cpu + $(summary_field "$line" cpu_us) + 0)) # + 0: an older simulator has no cpu_us
    sim_frames=$((sim_frames + $(summary_field "$line" frames_accepted)))
  done
  local secs frames; secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  frames=$(awk -v r="$rate" -v s="$secs" 'BEGIN { printf "%.0f", r * s }')
  echo "$frames $secs $((c1 - c0)) $((p1 - p0)) $((r1 - r0)) $(awk -v c="$sim_cpu" -v n="$sim_frames" -v f="$frames" 'BEGIN { if (n > 0) printf "%.0f", c / n * f; else print 0 }')"
}

latency() { # "p50 / p99 ms" of simulator 0's PUBACKs
  local s
  s=$(grep '^SUMMARY' "$WORK/sim.0.out" || true)
  awk -v a="$(summary_field "$s" p50_us)" -v b="$(summary_field "$s" p99_us)" 'BEGIN { printf "%.0f / %.0f", a/1000, b/1000 }'
}

rows=()
per() { awk -v c="$1" -v f="$2" 'BEGIN { if (f > 0) printf "%.1f", c / f; else print "n/a" }'; }
add_row() { # CASE-LABEL PATTERN-LABEL MEASURE-OUTPUT WITH-PG WITH-RABBIT
  local frames secs tcpu pcpu rcpu scpu
  read -r frames secs tcpu pcpu rcpu scpu <<<"$3"
  local rate; rate=$(awk -v f="$frames" -v s="$secs" 'BEGIN { printf "%.0f", f / s }')
  local pg="—" rb="—"
  [[ $4 == 1 ]] && pg=$(per "$pcpu" "$frames")
  [[ $5 == 1 ]] && rb=$(per "$rcpu" "$frames")
  local all; all=$(per $((tcpu + ($4 == 1 ? pcpu : 0) + ($5 == 1 ? rcpu : 0))) "$frames")
  rows+=("| $2 | $1 | $rate | $(per "$tcpu" "$frames") | $pg | $rb | $all | $(per "$scpu" "$frames") | $(latency) |")
  log "  $1 / $2: $rate frames/s, target $(per "$tcpu" "$frames") µs, pg $pg, rabbit $rb, sims $(per "$scpu" "$frames") µs per frame"
}

# gateway_case CASE PATTERN: one gateway configuration under one load pattern.
gateway_case() {
  local name=$1 pattern=$2 with_pg=0 with_rabbit=0
  unset FLEETGATE_DB_URL FLEETGATE_AMQP_URL FLEETGATE_AMQP_BATCH_EVENTS
  case "$name" in
    *pg*) DB="${RUN_ID}_$((${#rows[@]}))"; psql -q "$PG_URL_BASE/postgres" -c "CREATE DATABASE $DB" >/dev/null
          export FLEETGATE_DB_URL="$PG_URL_BASE/$DB"; with_pg=1 ;;
  esac
  case "$name" in
    *amqp*) VHOST="${RUN_ID}-$((${#rows[@]}))"; rabbitmqctl -q add_vhost "$VHOST" >/dev/null
            rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
            export FLEETGATE_AMQP_URL="$AMQP_BASE/$VHOST"; with_rabbit=1 ;;
  esac
  [[ $name == *batch* ]] && export FLEETGATE_AMQP_BATCH_EVENTS=$BATCH_EVENTS
  start_gateway "$WORK/gateway.log" ${GATEWAY_OPTS:-$DEFAULT_GATEWAY_OPTS}
  log "$name, $pattern: gateway pid $GW_PID${FLEETGATE_DB_URL:+, db $DB}${FLEETGATE_AMQP_URL:+, vhost $VHOST}"
  provision "$pattern" "$pattern-"
  if (( with_rabbit )); then
    local queue
    queue=$(state_event_queue bench-fleet bench)
    java -Xmx256m -cp "$JAR" io.fleetgate.sim.EventQueueWatcher "$FLEETGATE_AMQP_URL" $((WARMUP + DURATION + 120)) "$queue" \
      >"$WORK/watch.out" 2>"$WORK/watch.err" &
    WATCH_PID=$!
  fi
  sims "$pattern" "$MQTT_PORT" "$pattern-" "$WARMUP"
  local p; for p in "${SIM_PIDS[@]}"; do wait "$p" || true; done
  sims "$pattern" "$MQTT_PORT" "$pattern-" "$DURATION"
  local m; m=$(measure "$GW_PID")
  for p in "${SIM_PIDS[@]}"; do wait "$p" || true; done
  add_row "$name" "$pattern" "$m" "$with_pg" "$with_rabbit"
  cleanup_case
}

mosquitto_case() {
  local pattern=$1 mosq
  mosq=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  [[ -x $mosq ]] || { log "mosquitto not found: skipped"; return; }
  cat >"$WORK/mosquitto.conf" <<EOF
listener $MOSQUITTO_PORT 127.0.0.1
allow_anonymous true
persistence false
log_dest none
max_connections -1
max_inflight_messages 0
EOF
  "$mosq" -c "$WORK/mosquitto.conf" >"$WORK/mosquitto.log" 2>&1 &
  MOSQ_PID=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$MOSQUITTO_PORT") 2>/dev/null && break; sleep 0.1; done
  log "mosquitto, $pattern: pid $MOSQ_PID"
  sims "$pattern" "$MOSQUITTO_PORT" "mosq-$pattern-" "$WARMUP"
  local p; for p in "${SIM_PIDS[@]}"; do wait "$p" || true; done
  sims "$pattern" "$MOSQUITTO_PORT" "mosq-$pattern-" "$DURATION"
  local m; m=$(measure "$MOSQ_PID")
  for p in "${SIM_PIDS[@]}"; do wait "$p" || true; done
  add_row "Mosquitto (reference)" "$pattern" "$m" 0 0
  cleanup_case
}

build_if_needed
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for c in $CASES; do
  pattern=${c%%-*}
  name=${c#*-}
  case "$name" in
    mosquitto) mosquitto_case "$pattern" ;;
    memory) gateway_case "in memory" "$pattern" ;;
    pg) gateway_case "PostgreSQL (pg)" "$pattern" ;;
    pg-amqp) gateway_case "PostgreSQL + RabbitMQ (pg amqp)" "$pattern" ;;
    pg-amqp-batch) gateway_case "PostgreSQL + RabbitMQ, batch messages of $BATCH_EVENTS (pg amqp batch)" "$pattern" ;;
    amqp) gateway_case "RabbitMQ only (amqp)" "$pattern" ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
done

flat="$FLAT_UNITS connections × $FLAT_WINDOW in flight"
ones="$ONES_UNITS units × 1 in flight at $ONES_RATE/s each"
echo
echo "fleetgate $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u '+%F %H:%M') UTC, $(nproc) CPUs, load average at start $load_start, at end $(cut -d' ' -f1-3 /proc/loadavg); $LOAD_PROCS simulator processes; flat = $flat; ones = $ones; $DURATION s per case after $WARMUP s warm-up"
echo
echo "| pattern | server | acked frames/s | server CPU µs/frame | PostgreSQL µs/frame | RabbitMQ µs/frame | server + PostgreSQL + RabbitMQ µs/frame | simulators µs/frame | PUBACK p50 / p99 ms |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
