#!/usr/bin/env bash
# Memory per idle MQTT connection: heap used after a full GC and RSS of the gateway, before and after UNITS
# simulated units connect (subscribed to their command topic, otherwise only keep-alive), ÷ connections.
#
# The gateway runs with -Xmx512m. Units connect from several loopback source addresses (SOURCES) so that
# one address's ephemeral ports do not run out. The baseline is taken after provisioning (the vehicles are
# in memory in both readings), so the difference is the connections' cost.
#
# Environment: UNITS (20000), SOURCES (127.0.0.1-127.0.0.16), CONNECT_RATE (500/s), HOLD (30 s),
# HTTP_PORT (18080), MQTT_PORT (11884), TCP_PORT (15100), SIM_OPTS (-Xmx3g).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib-gateway.sh

UNITS=${UNITS:-20000}
SOURCES=${SOURCES:-127.0.0.1-127.0.0.16}
CONNECT_RATE=${CONNECT_RATE:-500}
HOLD=${HOLD:-30}
WORK=$(mktemp -d)
SIM_PID=""
cleanup() {
  if [[ -n "$SIM_PID" ]]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  stop_gateway
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if (( $(ulimit -n) < UNITS + 1000 )); then
  ulimit -n $((UNITS + 1000)) 2>/dev/null || { echo "need ulimit -n >= $((UNITS + 1000)) (now $(ulimit -n))" >&2; exit 1; }
fi

build_if_needed
start_gateway "$WORK/gateway.log" -Xmx512m
echo "gateway pid $GW_PID (-Xmx512m): http $HTTP_PORT, mqtt $MQTT_PORT; $UNITS idle units from $SOURCES" >&2

sim_args=(--host 127.0.0.1 --port "$MQTT_PORT" --units "$UNITS" --unit-prefix idle- --fleet-id idle-fleet
  --api-url "http://127.0.0.1:$HTTP_PORT" --admin-id "$ADMIN_ID" --admin-secret "$ADMIN_SECRET")
timeout 1800 java ${SIM_OPTS:--Xmx3g} -jar "$JAR" simulate "${sim_args[@]}" --provision-only >&2

heap0=$(heap_used_kib "$GW_PID")
rss0=$(rss_kib "$GW_PID")
echo "baseline after provisioning: heap used $heap0 KiB, RSS $rss0 KiB" >&2

mkfifo "$WORK/sim.out"
timeout $((UNITS / CONNECT_RATE + HOLD + 300)) java ${SIM_OPTS:--Xmx3g} -jar "$JAR" simulate "${sim_args[@]}" --idle \
  --source-addresses "$SOURCES" --connect-rate "$CONNECT_RATE" --duration "$HOLD" --report-every 10 >"$WORK/sim.out" &
SIM_PID=$!
heap1=""; rss1=""; summary=""; connected=0
while IFS= read -r line; do
  case "$line" in
    "MARK connected")
      sleep 5 # let the last connections settle
      heap1=$(heap_used_kib "$GW_PID")
      rss1=$(rss_kib "$GW_PID")
      ;;
    "all units connected"*|"not all units connected"*) connected=$(grep -o '([0-9]*' <<<"$line" | tr -dc '0-9'); echo "  $line" >&2 ;;
    SUMMARY*) summary=$line ;;
    *) echo "  $line" >&2 ;;
  esac
done <"$WORK/sim.out"
wait "$SIM_PID" || true
SIM_PID=""
if [[ -z "$heap1" || "$connected" -eq 0 ]]; then
  echo "the idle units did not connect (see above)" >&2
  exit 1
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
per_heap=$(awk -v a="$heap0" -v b="$heap1" -v n="$connected" 'BEGIN { printf "%.1f", (b - a) / n }')
per_rss=$(awk -v a="$rss0" -v b="$rss1" -v n="$connected" 'BEGIN { printf "%.1f", (b - a) / n }')
echo
echo "| date | commit | idle MQTT connections | heap after GC (MiB) | KiB heap / connection | RSS (MiB) | KiB RSS / connection |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
printf '| %s | %s | %d | %.0f | %s | %.0f | %s |\n' "$(date -u +%F)" "$commit" "$connected" \
  "$(awk -v k="$heap1" 'BEGIN { print k / 1024 }')" "$per_heap" "$(awk -v k="$rss1" 'BEGIN { print k / 1024 }')" "$per_rss"
