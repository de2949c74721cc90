#!/usr/bin/env bash
# Overload: under twice the sustainable QoS 1 ingest rate, the gateway's memory stays bounded and units are
# slowed down (reading pauses, PUBACKs come later) instead of failed (no errors, no disconnects, no ack timeouts).
#
# 1. Sustainable run: CAL_UNITS units send QoS 1 JSON frames flat out (window CAL_WINDOW = the gateway's
#    mqtt.maxInflightPerConnection, so the gateway and not the window is the limit) for CAL_DURATION
#    seconds; its accepted frames/s is the sustainable rate. Heap used (jstat -gc, every second) and RSS
#    (/proc/PID/status) are sampled while it sends.
# 2. Overload run: UNITS units are offered 2 × that rate in total (--target-rate) for DURATION seconds, each with
#    a window of WINDOW unacknowledged frames - more than the gateway's mqtt.maxInflightPerConnection (64); the
#    gateway reads only as fast as it applies (TCP back-pressure; the read pause with a slow store), so units
#    wait. The same samples are taken.
# 3. Report: offered vs accepted frames/s, PUBACK p50/p99, frames the units could not send on schedule (the
#    slowing down), ack timeouts / disconnects / publish errors, memory maxima of both runs, and PASS when
#    every unit stayed connected without an error, the overload run's live heap max (in use right after a full
#    GC, taken every LIVE_EVERY s while sending) is at most BOUND (1.5) × the sustainable run's plus SLACK_MIB
#    (32 MiB), and its RSS max is at most RSS_CAP_MIB (1536 MiB: -Xmx1g plus 512 MiB off heap); FAIL otherwise.
#    Heap used between collections and RSS are reported too, but G1 fills and commits whatever heap it is
#    given under a higher allocation rate, so they say little about what the gateway holds on to.
#
# The simulator runs on the same machine and competes for the same cores: compare runs of one machine only.
# Environment: UNITS (400), WINDOW (128), DURATION (60 s), CAL_UNITS (UNITS), CAL_WINDOW (64, the gateway's in-flight limit), CAL_DURATION (20 s),
# WARMUP (15 s), BOUND (1.5), SLACK_MIB (32), RSS_CAP_MIB (1536), LIVE_EVERY (5 s), GATEWAY_OPTS (-Xmx1g), SIM_OPTS (-Xmx1g),
# HTTP_PORT (38180), MQTT_PORT (31984), TCP_PORT (35190).
set -euo pipefail
cd "$(dirname "$0")/.."
HTTP_PORT=${HTTP_PORT:-38180}
MQTT_PORT=${MQTT_PORT:-31984}
TCP_PORT=${TCP_PORT:-35190}
source benchmarks/lib-gateway.sh

UNITS=${UNITS:-400}
WINDOW=${WINDOW:-128}
DURATION=${DURATION:-60}
CAL_UNITS=${CAL_UNITS:-$UNITS}
CAL_WINDOW=${CAL_WINDOW:-64}
CAL_DURATION=${CAL_DURATION:-20}
WARMUP=${WARMUP:-15}
BOUND=${BOUND:-1.5}
SLACK_MIB=${SLACK_MIB:-32}
RSS_CAP_MIB=${RSS_CAP_MIB:-1536}
LIVE_EVERY=${LIVE_EVERY:-5}
WORK=$(mktemp -d)
SAMPLER_PIDS=()
stop_sampler() {
  local pid
  for pid in "${SAMPLER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SAMPLER_PIDS=()
}
PHASE_GC_FROM=0
trap 'stop_sampler; stop_gateway; [[ -n ${KEEP_WORK:-} ]] || rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

build_if_needed
start_gateway "$WORK/gateway.log" ${GATEWAY_OPTS:--Xmx1g} "-Xlog:gc:file=$WORK/gc.log"
echo "gateway pid $GW_PID: http $HTTP_PORT, mqtt $MQTT_PORT" >&2

# simulate UNITS [options]
simulate() {
  local units=$1
  shift
  timeout $((DURATION + CAL_DURATION + WARMUP + 600)) java ${SIM_OPTS:--Xmx1g} -jar "$JAR" simulate \
    --host 127.0.0.1 --port "$MQTT_PORT" --units "$units" --unit-prefix over- --mode load --qos 1 --format json \
    --api-url "http://127.0.0.1:$HTTP_PORT" --admin-id "$ADMIN_ID" --admin-secret "$ADMIN_SECRET" \
    --fleet-id over-fleet --report-every 10 "$@"
}

# start_sampler NAME: every second, jstat -gc into NAME.gc and VmRSS (KiB) into NAME.rss; every LIVE_EVERY
# seconds a full GC (jcmd GC.run), whose heap before -> after the gateway logs (-Xlog:gc); until stop_sampler
start_sampler() {
  jstat -gc "$GW_PID" 1000 >"$WORK/$1.gc" 2>/dev/null &
  SAMPLER_PIDS+=($!)
  while rss_kib "$GW_PID"; do sleep 1; done >"$WORK/$1.rss" 2>/dev/null &
  SAMPLER_PIDS+=($!)
  while sleep "$LIVE_EVERY"; do jcmd "$GW_PID" GC.run; done >/dev/null 2>&1 &
  SAMPLER_PIDS+=($!)
  PHASE_GC_FROM=$(wc -l <"$WORK/gc.log")
}

# run_phase NAME UNITS SIMULATE-ARGS...: samples memory while the simulator sends; leaves SUMMARY_<NAME>
run_phase() {
  local name=$1 units=$2 summary="" line
  shift 2
  while IFS= read -r line; do
    case "$line" in
      "MARK sending") start_sampler "$name" ;;
      "MARK drained") stop_sampler; sed -n "$((PHASE_GC_FROM + 1)),\$p" "$WORK/gc.log" >"$WORK/$name.live" ;;
      SUMMARY*) summary=$line ;;
      *) echo "  $line" >&2 ;;
    esac
  done < <(simulate "$units" "$@")
  stop_sampler
  if [[ -z "$summary" ]]; then
    echo "$name: the simulator did not complete (see above)" >&2
    exit 1
  fi
  printf -v "SUMMARY_$name" '%s' "$summary"
}

# heap_max NAME COLUMNS: the largest sum of these jstat -gc columns over NAME's samples (KiB)
heap_max() {
  awk -v want="$2" '
    $1 == "S0C" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    NF > 0 { n = split(want, w, ","); v = 0; for (j = 1; j <= n; j++) v += $col[w[j]]; if (v > m) m = v }
    END { printf "%.0f", m }' "$WORK/$1.gc"
}
rss_max() { sort -n "$WORK/$1.rss" | tail -1; }
# live_max NAME: the most heap in use right after one of NAME's forced full GCs (KiB)
live_max() {
  sed -n 's/.*Pause Full (.*) [0-9]*M->\([0-9]*\)M.*/\1/p' "$WORK/$1.live" | sort -n | tail -1 \
    | awk '{ print $1 * 1024 } END { if (NR == 0) print 0 }'
}
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

simulate "$UNITS" --provision-only >&2
echo "warm-up ($WARMUP s)" >&2
simulate "$CAL_UNITS" --window "$CAL_WINDOW" --duration "$WARMUP" >/dev/null

echo "sustainable run: $CAL_UNITS units flat out, window $CAL_WINDOW, $CAL_DURATION s" >&2
run_phase sustainable "$CAL_UNITS" --window "$CAL_WINDOW" --target-rate 0 --duration "$CAL_DURATION"
sustainable=$(summary_field "$SUMMARY_sustainable" rate_accepted)
offered=$(awk -v r="$sustainable" 'BEGIN { printf "%.0f", 2 * r }')

echo "overload run: $UNITS units offered $offered frames/s (2 × $(printf '%.0f' "$sustainable")), window $WINDOW, $DURATION s" >&2
run_phase overload "$UNITS" --window "$WINDOW" --target-rate "$offered" --duration "$DURATION"
retained=$(heap_used_kib "$GW_PID")

S=$SUMMARY_sustainable
O=$SUMMARY_overload
USED=S0U,S1U,EU,OU
heap_s=$(heap_max sustainable $USED); old_s=$(heap_max sustainable OU); rss_s=$(rss_max sustainable)
heap_o=$(heap_max overload $USED); old_o=$(heap_max overload OU); rss_o=$(rss_max overload)
live_s=$(live_max sustainable); live_o=$(live_max overload)
samples=$(grep -c . "$WORK/overload.rss" || true)
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
failures=$(( $(summary_field "$O" ack_timeouts) + $(summary_field "$O" publish_errors) + $(summary_field "$O" disconnects) \
  + $(summary_field "$O" connect_failures) ))
verdict=PASS
reasons=()
# within LIMIT_KIB VALUE_KIB: VALUE ≤ BOUND × LIMIT + SLACK
within() { awk -v l="$1" -v v="$2" -v b="$BOUND" -v s="$SLACK_MIB" 'BEGIN { exit !(v <= b * l + s * 1024) }'; }
if ((live_s == 0 || live_o == 0)); then verdict=FAIL; reasons+=("no forced full GC logged in a run"); fi
if ! within "$live_s" "$live_o"; then verdict=FAIL; reasons+=("live heap max $(mib "$live_o") MiB > $BOUND × $(mib "$live_s") MiB + $SLACK_MIB"); fi
if ((rss_o > RSS_CAP_MIB * 1024)); then verdict=FAIL; reasons+=("RSS max $(mib "$rss_o") MiB > $RSS_CAP_MIB MiB"); fi
if ((failures > 0)); then verdict=FAIL; reasons+=("$failures unit failures (ack timeouts + publish errors + disconnects + connect failures)"); fi
if ((samples < DURATION / 2)); then verdict=FAIL; reasons+=("only $samples memory samples"); fi

echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores shared with the simulator)"
echo "| run | units | window | offered frames/s | accepted frames/s | PUBACK p50 / p99 ms | frames behind schedule | ack timeouts / disconnects / errors | live heap max MiB | heap used max MiB | old gen max MiB | RSS max MiB |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
echo "| sustainable | $CAL_UNITS | $CAL_WINDOW | flat out | $(printf '%.0f' "$sustainable") | $(ms "$(summary_field "$S" p50_us)") / $(ms "$(summary_field "$S" p99_us)") | $(summary_field "$S" frames_behind) | $(summary_field "$S" ack_timeouts) / $(summary_field "$S" disconnects) / $(summary_field "$S" publish_errors) | $(mib "$live_s") | $(mib "$heap_s") | $(mib "$old_s") | $(mib "$rss_s") |"
echo "| 2 × sustainable | $UNITS | $WINDOW | $offered | $(printf '%.0f' "$(summary_field "$O" rate_accepted)") | $(ms "$(summary_field "$O" p50_us)") / $(ms "$(summary_field "$O" p99_us)") | $(summary_field "$O" frames_behind) | $(summary_field "$O" ack_timeouts) / $(summary_field "$O" disconnects) / $(summary_field "$O" publish_errors) | $(mib "$live_o") | $(mib "$heap_o") | $(mib "$old_o") | $(mib "$rss_o") |"
echo "heap in use after the overload run and a full GC: $(mib "$retained") MiB"
if [[ $verdict == PASS ]]; then
  echo "PASS: memory bounded (live heap max ≤ $BOUND × the sustainable run's + $SLACK_MIB MiB, RSS max ≤ $RSS_CAP_MIB MiB) and no unit failed"
else
  echo "FAIL: ${reasons[*]}"
  exit 1
fi
