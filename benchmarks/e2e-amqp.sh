#!/usr/bin/env bash
# Events through RabbitMQ end to end: MQTT QoS 1 frames/s when every PUBACK waits for the broker's publisher
# confirm of the frame's VehicleStateRecorded event, and the latency from the event's occurred_at (when the
# gateway applied the frame) to its arrival at a RabbitMQ consumer (p50 / p99).
#
# Needs the local RabbitMQ (rabbitmqctl): the run gets a vhost of its own, deleted at the end. Starts
# target/fleetgate.jar with FLEETGATE_AMQP_URL, provisions UNITS units, creates an event consumer
# (POST /event-consumers, VehicleStateRecorded) for their fleet and consumes its queue with
# io.fleetgate.sim.EventQueueWatcher while `fleetgate simulate --qos 1` runs:
#   1. flat out (TARGET_RATE 0): frames/s accepted (every one PUBACK'd after its confirm) and PUBACK latency;
#   2. paced at LATENCY_RATE frames/s: publish → consumer latency without a saturated machine.
# Gateway, simulator, consumer and RabbitMQ share the machine's cores: compare rows of one machine only.
#
# Environment: UNITS (100), DURATION (30 s), WINDOW (32), WARMUP (10 s), LATENCY_RATE (2000),
# HTTP_PORT (18080), MQTT_PORT (11884), TCP_PORT (15100), GATEWAY_OPTS (-Xmx1g), SIM_OPTS (-Xmx1g).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib-gateway.sh

UNITS=${UNITS:-100}
DURATION=${DURATION:-30}
WINDOW=${WINDOW:-32}
WARMUP=${WARMUP:-10}
LATENCY_RATE=${LATENCY_RATE:-2000}
VHOST="fleetgate-bench-$(date +%s)-$$"
WORK=$(mktemp -d)
cleanup() {
  stop_gateway
  rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v rabbitmqctl >/dev/null || { echo "rabbitmqctl not found: this benchmark needs the local RabbitMQ" >&2; exit 1; }
rabbitmqctl -q add_vhost "$VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
export FLEETGATE_AMQP_URL="amqp://guest:guest@127.0.0.1:5672/$VHOST"

build_if_needed
start_gateway "$WORK/gateway.log" ${GATEWAY_OPTS:--Xmx1g}
echo "gateway pid $GW_PID with RabbitMQ vhost $VHOST: $UNITS units, $DURATION s per case" >&2


simulate() {
  timeout $((DURATION + WARMUP + 600)) java ${SIM_OPTS:--Xmx1g} -jar "$JAR" simulate --host 127.0.0.1 --port "$MQTT_PORT" \
    --units "$UNITS" --unit-prefix bench- --mode load --window "$WINDOW" \
    --api-url "$API" --admin-id "$ADMIN_ID" --admin-secret "$ADMIN_SECRET" \
    --fleet-id bench-fleet --report-every 10 "$@"
}

simulate --provision-only >&2
queue=$(state_event_queue bench-fleet bench)
echo "consuming $queue" >&2

# watch SECONDS: consumes the queue in the background into $WORK/watch.out
watch_queue() {
  java -Xmx512m -cp "$JAR" io.fleetgate.sim.EventQueueWatcher "$FLEETGATE_AMQP_URL" "$1" "$queue" >"$WORK/watch.out" 2>"$WORK/watch.err" &
  WATCH_PID=$!
  for _ in $(seq 100); do grep -q "MARK consuming" "$WORK/watch.out" 2>/dev/null && return; sleep 0.1; done
  echo "the event consumer did not start:" >&2; cat "$WORK/watch.err" >&2; exit 1
}

echo "warm-up ($WARMUP s)" >&2
watch_queue $((WARMUP + 5))
simulate --qos 1 --format json --duration "$WARMUP" >/dev/null
wait "$WATCH_PID" || true

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
rows=()
# run_case LABEL SIMULATE-ARGS...
run_case() {
  local label=$1 summary="" line
  shift
  watch_queue $((DURATION + 8))
  while IFS= read -r line; do
    case "$line" in
      SUMMARY*) summary=$line ;;
      MARK*) ;;
      *) echo "  $line" >&2 ;;
    esac
  done < <(simulate --qos 1 --format json --duration "$DURATION" "$@")
  wait "$WATCH_PID" || true
  local events
  events=$(grep '^EVENTS' "$WORK/watch.out" || echo "EVENTS (consumer failed)")
  echo "  consumer: $events" >&2
  local field
  field() { echo "$events" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
  rows+=("| $(date -u +%F) | $commit | $label | $UNITS | $(printf '%.0f' "$(summary_field "$summary" rate_accepted)") | $(awk -v a="$(summary_field "$summary" p50_us)" -v b="$(summary_field "$summary" p99_us)" 'BEGIN { printf "%.1f / %.1f", a/1000, b/1000 }') | $(field p50_ms) / $(field p99_ms) | $(field wrong_fleet) |")
}

run_case "flat out" --target-rate 0
run_case "paced $LATENCY_RATE/s" --target-rate "$LATENCY_RATE"

echo
echo "| date | commit | case | units | QoS 1 frames/s accepted (PUBACK after confirm) | PUBACK p50 / p99 ms | publish → consumer p50 / p99 ms | messages of another fleet |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
