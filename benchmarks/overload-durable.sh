#!/usr/bin/env bash
# Overload on the durable path (issue 13): a gateway on PostgreSQL + RabbitMQ (a fresh database and vhost each
# run, each behind an io.fleetgate.sim.ThrottlingProxy) under twice its sustainable MQTT QoS 1 rate, then the
# same with PostgreSQL, then RabbitMQ, at half speed. Shows that memory stays flat, that units are slowed
# (acks withheld, reads paused) rather than refused, and that nothing acknowledged is lost.
#
# Phases (UNITS units, JSON QoS 1, the simulator's load mode, every phase on the same gateway):
#   warm-up      flat out, WARMUP s
#   sustainable  flat out, window CAL_WINDOW (the gateway's mqtt.maxInflightPerConnection), CAL_DURATION s:
#                its accepted frames/s is the sustainable rate R
#   2x           offered 2 R (--target-rate), window WINDOW, DURATION s; the proxies measure the bytes/s
#                the gateway sends PostgreSQL and RabbitMQ
#   pg-half      the same offer, PostgreSQL's proxy limited to HALF × what the gateway sent it in 2x (each way)
#   amqp-half    the same offer, PostgreSQL at full speed again, RabbitMQ's proxy limited to HALF × its 2x bytes/s
# Every SAMPLE_EVERY s during a phase: the heap left after the latest young collection (survivor + old
# generation, jstat -gc, sampled every second), and
# the gauges fleetgate_ingest_frames_in_flight (acks withheld), fleetgate_device_paused_connections,
# fleetgate_db_history_pending_rows and fleetgate_amqp_buffered.
# Per phase: fleetgate_device_read_pauses_total by cause and fleetgate_amqp_refused_total (deltas).
# Correctness at the end: per unit, the rows of its vehicle in state_history (read straight from PostgreSQL)
# against the frames the simulator had acknowledged (--acked-out, summed over the phases); the
# VehicleStateRecorded events consumed from an event consumer's queue (io.fleetgate.sim.EventQueueWatcher,
# one per phase, plus what is left in the queue) against the frames acknowledged (each ack waited for its
# event's confirm). PASS when no unit has fewer rows than acknowledged frames, the events are at least as
# many, and no unit was disconnected, timed out or refused.
#
# The gateway, simulator, consumer, proxies, PostgreSQL and RabbitMQ share the machine: compare rows of one
# run. Needs psql and rabbitmqctl (the local servers: 127.0.0.1:5432 trust as postgres, 127.0.0.1:5672 guest).
# Environment: UNITS (400), WINDOW (128), CAL_WINDOW (64), DURATION (30 s), CAL_DURATION (20 s), WARMUP (10 s),
# HALF (0.5), SAMPLE_EVERY (5 s), BATCH_EVENTS (1, amqp.batchEvents), GATEWAY_OPTS (-Xmx1g), SIM_OPTS (-Xmx1g),
# HTTP_PORT (38280), MQTT_PORT (32084), TCP_PORT (35290), PGHOST/PGPORT (127.0.0.1/5432), KEEP_WORK.
set -euo pipefail
cd "$(dirname "$0")/.."
HTTP_PORT=${HTTP_PORT:-38280}
MQTT_PORT=${MQTT_PORT:-32084}
TCP_PORT=${TCP_PORT:-35290}
source benchmarks/lib-gateway.sh

UNITS=${UNITS:-400}
WINDOW=${WINDOW:-128}
CAL_WINDOW=${CAL_WINDOW:-64}
DURATION=${DURATION:-30}
CAL_DURATION=${CAL_DURATION:-20}
WARMUP=${WARMUP:-10}
HALF=${HALF:-0.5}
SAMPLE_EVERY=${SAMPLE_EVERY:-5}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
STAMP="$(date +%s)_$$"
DB="fleetgate_overload_$STAMP"
VHOST="fleetgate-overload-$STAMP"
WORK=$(mktemp -d)
PROXY_PIDS=()
WATCH_PID=""

command -v psql >/dev/null || { echo "psql not found" >&2; exit 1; }
command -v rabbitmqctl >/dev/null || { echo "rabbitmqctl not found" >&2; exit 1; }
sql() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -Atq "$@"; }

cleanup() {
  if declare -F stop_sampler >/dev/null; then stop_sampler; fi
  [[ -n $WATCH_PID ]] && kill "$WATCH_PID" 2>/dev/null || true
  stop_gateway
  exec 7>&- 8>&-
  local pid
  for pid in "${PROXY_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sql -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
  [[ -n ${KEEP_WORK:-} ]] && echo "work files kept in $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_if_needed
sql -d postgres -c "CREATE DATABASE $DB"
rabbitmqctl -q add_vhost "$VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null

# start_proxy NAME TARGET: a ThrottlingProxy (no limit yet) reading its commands from the fifo NAME.ctl;
# leaves its port in PROXY_PORT
start_proxy() {
  local name=$1 target=$2
  mkfifo "$WORK/$name.ctl"
  java -Xmx128m -cp "$JAR" io.fleetgate.sim.ThrottlingProxy 0 "$target" 0 0 <"$WORK/$name.ctl" >"$WORK/$name.log" 2>&1 &
  PROXY_PIDS+=($!)
}
proxy_port() {
  for _ in $(seq 100); do grep -q '^MARK listening' "$WORK/$1.log" 2>/dev/null && break; sleep 0.1; done
  sed -n 's/^MARK listening \([0-9]*\) .*/\1/p' "$WORK/$1.log"
}
start_proxy pg "$PGHOST:$PGPORT"
exec 7>"$WORK/pg.ctl"
start_proxy amqp 127.0.0.1:5672
exec 8>"$WORK/amqp.ctl"
PG_PROXY=$(proxy_port pg)
AMQP_PROXY=$(proxy_port amqp)
[[ -n $PG_PROXY && -n $AMQP_PROXY ]] || { echo "the proxies did not start" >&2; cat "$WORK"/*.log >&2; exit 1; }
limit_pg() { echo "limit $1 0" >&7; }
limit_amqp() { echo "limit $1 0" >&8; }

export FLEETGATE_DB_URL="postgresql://postgres@127.0.0.1:$PG_PROXY/$DB"
export FLEETGATE_AMQP_URL="amqp://guest:guest@127.0.0.1:$AMQP_PROXY/$VHOST"
export FLEETGATE_AMQP_BATCH_EVENTS=${BATCH_EVENTS:-1}
start_gateway "$WORK/gateway.log" ${GATEWAY_OPTS:--Xmx1g}
echo "gateway pid $GW_PID: database $DB via proxy :$PG_PROXY, vhost $VHOST via proxy :$AMQP_PROXY, $UNITS units" >&2


simulate() {
  timeout $((DURATION + WARMUP + 600)) java ${SIM_OPTS:--Xmx1g} -jar "$JAR" simulate --host 127.0.0.1 --port "$MQTT_PORT" \
    --units "$UNITS" --unit-prefix ovd- --mode load --qos 1 --format json --source-addresses 127.0.0.1-127.0.0.4 \
    --api-url "$API" --admin-id "$ADMIN_ID" --admin-secret "$ADMIN_SECRET" --fleet-id ovd-fleet --report-every 10 "$@"
}

simulate --provision-only >&2
queue=$(state_event_queue ovd-fleet overload)
DIRECT_AMQP="amqp://guest:guest@127.0.0.1:5672/$VHOST"

# metric NAME [LABEL-REGEX]: the sum of the samples of NAME whose labels match
metric() {
  curl -s "$API/metrics" | awk -v n="$1" -v l="${2:-}" '
    index($0, n) == 1 { name = $1; sub(/\{.*/, "", name); if (name == n && (l == "" || $1 ~ l)) s += $NF }
    END { printf "%.0f", s }'
}

# sampler NAME: the gateway's heap every second (jstat -gc, no attach: jcmd took 10-30 s per attach on the loaded
# machine) into NAME.gc, and every SAMPLE_EVERY s "paused-connections pending-rows amqp-buffered frames-in-flight"
# into NAME.samples; until stop_sampler
SAMPLER_PIDS=()
sampler() {
  jstat -gc "$GW_PID" 1000 >"$WORK/$1.gc" 2>/dev/null &
  SAMPLER_PIDS+=($!)
  while sleep "$SAMPLE_EVERY"; do
    echo "$(metric fleetgate_device_paused_connections) $(metric fleetgate_db_history_pending_rows) $(metric fleetgate_amqp_buffered) $(metric fleetgate_ingest_frames_in_flight)"
  done >"$WORK/$1.samples" 2>/dev/null &
  SAMPLER_PIDS+=($!)
}
stop_sampler() {
  local pid
  for pid in "${SAMPLER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  SAMPLER_PIDS=()
}
# heap_after_gc NAME: survivor + old generation in use (MiB), every SAMPLE_EVERY-th second of NAME.gc: the heap
# left after the latest young collection, which empties eden
heap_after_gc() {
  awk -v every="$SAMPLE_EVERY" '$1 == "S0C" { for (i = 1; i <= NF; i++) c[$i] = i; next }
    NF > 0 && n++ % every == 0 { printf "%s%.0f", (out++ ? ", " : ""), ($c["S0U"] + $c["S1U"] + $c["OU"]) / 1024 }' "$WORK/$1.gc"
}

# proxy_up NAME FROM TO: mean bytes/s the gateway sent through proxy NAME over lines FROM..TO of its log
proxy_up() {
  sed -n "$2,$3p" "$WORK/$1.log" | awk -F'[ =]' '/^PROXY/ { s += $3; n++ } END { printf "%.0f", n ? s / n : 0 }'
}

rows=()
TOTAL_CONSUMED=0
# run_phase NAME SIMULATE-ARGS...: leaves SUMMARY_<NAME>, PGUP_<NAME>, AMQPUP_<NAME>
run_phase() {
  local name=$1 summary="" line seconds
  shift
  seconds=$(( $(sed -n 's/.*--duration \([0-9]*\).*/\1/p' <<<"$*") + 25 ))
  java -Xmx256m -cp "$JAR" io.fleetgate.sim.EventQueueWatcher "$DIRECT_AMQP" "$seconds" "$queue" >"$WORK/$name.watch" 2>"$WORK/$name.watch.err" &
  WATCH_PID=$!
  for _ in $(seq 100); do grep -q "MARK consuming" "$WORK/$name.watch" 2>/dev/null && break; sleep 0.1; done
  local congested0 inflight0 refused0 pg0 amqp0
  congested0=$(metric fleetgate_device_read_pauses_total 'cause="congested"')
  inflight0=$(metric fleetgate_device_read_pauses_total 'cause="inflight"')
  refused0=$(metric fleetgate_amqp_refused_total)
  while IFS= read -r line; do
    case "$line" in
      "MARK sending")
        pg0=$(wc -l <"$WORK/pg.log"); amqp0=$(wc -l <"$WORK/amqp.log")
        sampler "$name" ;;
      "MARK drained")
        stop_sampler
        printf -v "PGUP_$name" '%s' "$(proxy_up pg "$pg0" "$(wc -l <"$WORK/pg.log")")"
        printf -v "AMQPUP_$name" '%s' "$(proxy_up amqp "$amqp0" "$(wc -l <"$WORK/amqp.log")")" ;;
      SUMMARY*) summary=$line ;;
      MARK*) ;;
      *) echo "  $line" >&2 ;;
    esac
  done < <(simulate --acked-out "$WORK/$name.acked" "$@")
  [[ -n $summary ]] || { echo "$name: the simulator did not complete" >&2; exit 1; }
  printf -v "SUMMARY_$name" '%s' "$summary"
  wait "$WATCH_PID" || true
  WATCH_PID=""
  local consumed
  consumed=$(sed -n 's/^EVENTS count=\([0-9]*\).*/\1/p' "$WORK/$name.watch")
  TOTAL_CONSUMED=$((TOTAL_CONSUMED + ${consumed:-0}))
  [[ $name == warmup ]] && return
  local s=$summary heaps paused pending buffered
  heaps=$(heap_after_gc "$name")
  paused=$(awk '$1 > m { m = $1 } END { print m + 0 }' "$WORK/$name.samples")
  pending=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$WORK/$name.samples")
  buffered=$(awk '$3 > m { m = $3 } END { print m + 0 }' "$WORK/$name.samples")
  local making
  making=$(awk '$4 > m { m = $4 } END { print m + 0 }' "$WORK/$name.samples")
  rows+=("| $name | $OFFER | $(printf '%.0f' "$(summary_field "$s" rate_accepted)") \
| $(awk -v a="$(summary_field "$s" p50_us)" -v b="$(summary_field "$s" p99_us)" 'BEGIN { printf "%.0f / %.0f", a/1000, b/1000 }') \
| $(summary_field "$s" ack_timeouts) / $(summary_field "$s" disconnects) / $(summary_field "$s" publish_errors) \
| $(( $(metric fleetgate_device_read_pauses_total 'cause="congested"') - congested0 )) / $(( $(metric fleetgate_device_read_pauses_total 'cause="inflight"') - inflight0 )) \
| $making | $paused | $pending | $buffered | $(( $(metric fleetgate_amqp_refused_total) - refused0 )) \
| $(awk -v p="${!PGUP_VAR:-0}" 'BEGIN { printf "%.1f", p / 1e6 }') / $(awk -v p="${!AMQPUP_VAR:-0}" 'BEGIN { printf "%.1f", p / 1e6 }') \
| $heaps |")
}

echo "warm-up ($WARMUP s)" >&2
OFFER="flat out"
run_phase warmup --window "$CAL_WINDOW" --target-rate 0 --duration "$WARMUP"

echo "sustainable: flat out, window $CAL_WINDOW, $CAL_DURATION s" >&2
OFFER="flat out"; PGUP_VAR=PGUP_sustainable; AMQPUP_VAR=AMQPUP_sustainable
run_phase sustainable --window "$CAL_WINDOW" --target-rate 0 --duration "$CAL_DURATION"
R=$(printf '%.0f' "$(summary_field "$SUMMARY_sustainable" rate_accepted)")
OFFERED=$((2 * R))

echo "2x: $OFFERED frames/s offered, window $WINDOW, $DURATION s" >&2
OFFER="$OFFERED"; PGUP_VAR=PGUP_2x; AMQPUP_VAR=AMQPUP_2x
run_phase 2x --window "$WINDOW" --target-rate "$OFFERED" --duration "$DURATION"

PG_HALF=$(awk -v b="$PGUP_2x" -v h="$HALF" 'BEGIN { printf "%.0f", b * h }')
AMQP_HALF=$(awk -v b="$AMQPUP_2x" -v h="$HALF" 'BEGIN { printf "%.0f", b * h }')
echo "pg-half: PostgreSQL proxy at $PG_HALF bytes/s each way ($HALF × the $PGUP_2x of the 2x run)" >&2
limit_pg "$PG_HALF"
PGUP_VAR=PGUP_pg_half; AMQPUP_VAR=AMQPUP_pg_half
run_phase pg_half --window "$WINDOW" --target-rate "$OFFERED" --duration "$DURATION"
limit_pg 0

echo "amqp-half: RabbitMQ proxy at $AMQP_HALF bytes/s each way ($HALF × the $AMQPUP_2x of the 2x run)" >&2
limit_amqp "$AMQP_HALF"
PGUP_VAR=PGUP_amqp_half; AMQPUP_VAR=AMQPUP_amqp_half
run_phase amqp_half --window "$WINDOW" --target-rate "$OFFERED" --duration "$DURATION"
limit_amqp 0

# ---- correctness --------------------------------------------------------------------------------------------
sleep 2 # the last phase's drain may leave a few frames whose acks the simulator counted just before it stopped
cat "$WORK"/*.acked | awk '{ a[$1] += $2 } END { for (u in a) print u, a[u] }' | sort >"$WORK/acked.all"
sql -d "$DB" -c "SELECT u.id, count(h.vehicle_id) FROM telematics_units u LEFT JOIN state_history h ON h.vehicle_id = u.vehicle_id
  WHERE u.id LIKE 'ovd-%' GROUP BY u.id ORDER BY u.id" | tr '|' ' ' | sort >"$WORK/rows.all"
check=$(join "$WORK/acked.all" "$WORK/rows.all" | awk '
  { units++; acked += $2; rows += $3; if ($3 < $2) { short++; missing += $2 - $3 } }
  END { printf "%d %d %d %d %d", units, acked, rows, short, missing }')
read -r c_units c_acked c_rows c_short c_missing <<<"$check"
left=$(rabbitmqctl -q list_queues -p "$VHOST" name messages 2>/dev/null | awk -v q="$queue" '$1 == q { print $2 }')
events=$((TOTAL_CONSUMED + ${left:-0}))
failures=0
for p in sustainable 2x pg_half amqp_half; do
  v="SUMMARY_$p"
  failures=$((failures + $(summary_field "${!v}" ack_timeouts) + $(summary_field "${!v}" disconnects) \
    + $(summary_field "${!v}" publish_errors) + $(summary_field "${!v}" connect_failures)))
done

echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); sustainable rate R = $R frames/s; commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "| phase | offered frames/s | accepted frames/s | PUBACK p50 / p99 ms | ack timeouts / disconnects / errors | read pauses congested / in-flight | frames awaiting ack max | paused connections max | history rows pending max | AMQP buffered max | AMQP refused | MB/s to PostgreSQL / RabbitMQ | heap after GC (survivor + old gen), every ${SAMPLE_EVERY} s (MiB) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
echo
echo "acknowledged frames $c_acked over $c_units units; state_history rows of those units $c_rows; units with fewer rows than acknowledged frames: ${c_short:-0} (${c_missing:-0} frames missing)"
echo "VehicleStateRecorded events consumed or queued: $events (consumed $TOTAL_CONSUMED, left in the queue ${left:-0}) for $c_acked acknowledged frames"
if [[ ${c_short:-1} -eq 0 && $c_units -eq $UNITS && $events -ge $c_acked && $failures -eq 0 ]]; then
  echo "PASS: nothing acknowledged was lost, every acknowledged frame's event reached the queue, no unit failed"
else
  echo "FAIL: units short $c_short, units checked $c_units/$UNITS, events $events < acked $c_acked?, unit failures $failures"
  exit 1
fi
