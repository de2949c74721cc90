#!/usr/bin/env bash
# End-to-end ingestion cost: gateway CPU time per accepted state frame, MQTT (QoS 0 and 1, JSON and binary)
# and TCP (binary, every frame acknowledged).
#
# Starts target/fleetgate.jar as its own process (in memory, loopback only), provisions UNITS simulated units
# over REST, warms up, then for each case runs `fleetgate simulate --mode load` for DURATION seconds. The
# gateway's utime+stime (/proc/PID/stat) is read when the simulator prints `MARK sending` and again at
# `MARK drained` (all PUBACKs / STATE_ACKs in), so connecting and password checks are outside the window.
# µs/frame = gateway CPU µs in the window ÷ frames the gateway counted as accepted (fleetgate_frames_accepted_total).
# The simulator runs on the same machine and competes for the same cores: compare rows of one machine only.
#
# Environment: UNITS (100), DURATION (30 s), TARGET_RATE (0 = flat out), WINDOW (32), WARMUP (30 s),
# HTTP_PORT (18080), MQTT_PORT (11884), TCP_PORT (15100), GATEWAY_OPTS, SIM_OPTS and SIM_PREFIX (defaults in lib-gateway.sh),
# CASES (all, mqtt, tcp, or a list of qos0-json qos0-binary qos1-json qos1-binary tcp),
# FLEETGATE_DB_URL (unset = in memory; set = the PostgreSQL store).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib-gateway.sh

UNITS=${UNITS:-100}
DURATION=${DURATION:-30}
TARGET_RATE=${TARGET_RATE:-0}
WINDOW=${WINDOW:-32}
WARMUP=${WARMUP:-30}
CASES=${CASES:-all}
WORK=$(mktemp -d)
trap 'stop_gateway; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

build_if_needed
start_gateway "$WORK/gateway.log" ${GATEWAY_OPTS:-$DEFAULT_GATEWAY_OPTS}
echo "gateway pid $GW_PID: http $HTTP_PORT, mqtt $MQTT_PORT, tcp $TCP_PORT; $UNITS units, $DURATION s per case" >&2

# simulate PORT [options]: MQTT_PORT for MQTT cases, TCP_PORT (with --protocol tcp) for the TCP case
simulate() {
  local port=$1
  shift
  timeout $((DURATION + WARMUP + 600)) $SIM_PREFIX java ${SIM_OPTS:-$DEFAULT_SIM_OPTS} -jar "$JAR" simulate --host 127.0.0.1 --port "$port" \
    --units "$UNITS" --unit-prefix bench- --mode load --target-rate "$TARGET_RATE" --window "$WINDOW" \
    --api-url "http://127.0.0.1:$HTTP_PORT" --admin-id "$ADMIN_ID" --admin-secret "$ADMIN_SECRET" \
    --fleet-id bench-fleet --report-every 10 "$@"
}

simulate "$MQTT_PORT" --provision-only >&2
echo "warm-up ($WARMUP s)" >&2
if [[ $CASES == tcp ]]; then
  simulate "$TCP_PORT" --protocol tcp --duration "$WARMUP" >/dev/null
else
  simulate "$MQTT_PORT" --qos 1 --format json --duration "$WARMUP" >/dev/null
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
rows=()
# run_case LABEL FORMAT ACKED SIMULATE-ARGS...: one row (ACKED = 1 when every frame is acknowledged, so
# latencies are measured)
run_case() {
  local label=$1 format=$2 acked=$3
  shift 3
  local cpu0="" cpu1="" n0=0 n1=0 summary="" line
  while IFS= read -r line; do
    case "$line" in
      "MARK sending") cpu0=$(cpu_us "$GW_PID"); n0=$(frames_accepted) ;;
      "MARK drained") sleep 1; cpu1=$(cpu_us "$GW_PID"); n1=$(frames_accepted) ;; # QoS 0: let the gateway finish what is buffered
      SUMMARY*) summary=$line ;;
      *) echo "  $line" >&2 ;;
    esac
  done < <(simulate "$@" --duration "$DURATION")
  if [[ -z "$cpu0" || -z "$cpu1" || -z "$summary" ]]; then
    echo "case $label $format: the simulator did not complete (see above)" >&2
    exit 1
  fi
  local frames=$((n1 - n0)) # counted by the gateway itself, so QoS 0 frames lost on the way do not count
  local rate cpu per_frame lat="—"
  rate=$(summary_field "$summary" rate_accepted)
  cpu=$((cpu1 - cpu0))
  per_frame=$(awk -v c="$cpu" -v f="$frames" 'BEGIN { if (f > 0) printf "%.1f", c / f; else print "n/a" }')
  if [[ $acked == 1 ]]; then
    lat=$(awk -v a="$(summary_field "$summary" p50_us)" -v b="$(summary_field "$summary" p99_us)" \
      -v c="$(summary_field "$summary" p999_us)" 'BEGIN { printf "%.1f / %.1f / %.1f", a/1000, b/1000, c/1000 }')
  fi
  rows+=("| $(date -u +%F) | $commit | $label | $format | $UNITS | $(printf '%.0f' "$rate") | $per_frame | $lat |")
}

# wanted NAME: whether CASES asks for the case (qos0-json ... qos1-binary, tcp)
wanted() { [[ $CASES == all || ($CASES == mqtt && $1 == qos*) || " $CASES " == *" $1 "* ]]; }
for qos in 0 1; do
  for format in json binary; do
    if wanted "qos$qos-$format"; then
      run_case "MQTT QoS $qos" "$format" "$qos" "$MQTT_PORT" --qos "$qos" --format "$format"
    fi
  done
done
# TCP carries binary state only and acknowledges every frame (STATE→STATE_ACK, the counterpart of QoS 1)
if wanted tcp; then
  run_case "TCP" binary 1 "$TCP_PORT" --protocol tcp
fi

echo
echo "| date | commit | transport | format | units | frames/s accepted | gateway CPU µs/frame | PUBACK / STATE_ACK p50 / p99 / p99.9 ms |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
