#!/usr/bin/env bash
# End-to-end command round trip: REST → gateway → MQTT unit → result → REST answer, synchronous commands.
#
# Starts target/fleetgate.jar as its own process (in memory, loopback only), then one `fleetgate simulate
# --mode commands --provision` run: it provisions UNITS vehicles over REST, connects their simulated units
# (which subscribe to their commands and answer at once), and sends RATE synchronous commands/s for DURATION
# seconds round robin over the vehicles, measuring each REST round trip with HdrHistogram. The simulator runs on
# the same machine and competes for the same cores: compare rows of one machine only.
#
# Environment: UNITS (100), RATE (1000), DURATION (30 s), WARMUP (40 s at RATE first, not measured: both JVMs still compile for the first half minute), HTTP_PORT (18080), MQTT_PORT (11884), TCP_PORT (15100),
# GATEWAY_OPTS, SIM_OPTS and LATENCY_SIM_PREFIX (nice -n 10; defaults in lib-gateway.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib-gateway.sh

UNITS=${UNITS:-100}
RATE=${RATE:-1000}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-40}
WORK=$(mktemp -d)
trap 'stop_gateway; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

build_if_needed
start_gateway "$WORK/gateway.log" ${GATEWAY_OPTS:-$DEFAULT_GATEWAY_OPTS}
echo "gateway pid $GW_PID: http $HTTP_PORT, mqtt $MQTT_PORT; $UNITS units, $RATE commands/s for $DURATION s" >&2

result=""
while IFS= read -r line; do
  case "$line" in
    RESULT*) result=$line ;;
    *) echo "  $line" >&2 ;;
  esac
done < <(timeout $((DURATION + 600)) $LATENCY_SIM_PREFIX java ${SIM_OPTS:-$DEFAULT_SIM_OPTS} -jar "$JAR" simulate --host 127.0.0.1 --port "$MQTT_PORT" \
  --units "$UNITS" --unit-prefix cmd- --mode commands --provision --command-rate "$RATE" --warmup "$WARMUP" --duration "$DURATION" \
  --api-url "http://127.0.0.1:$HTTP_PORT" --admin-id "$ADMIN_ID" --admin-secret "$ADMIN_SECRET" \
  --fleet-id cmd-fleet --report-every 10)
if [[ -z "$result" ]]; then
  echo "the simulator did not complete (see above)" >&2
  exit 1
fi
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$result"; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "| commit | units | target/s | achieved/s | p50 ms | p99 ms | max ms | 200 answers |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
echo "| $commit | $UNITS | $RATE | $(field rate) | $(field p50_ms) | $(field p99_ms) | $(field max_ms) | $(field ok) |"
