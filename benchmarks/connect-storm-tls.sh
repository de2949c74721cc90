#!/usr/bin/env bash
# Connect storm over TLS: UNITS MQTT units connect at once to the gateway's TLS listener (mqtt.tlsPort), first
# with client certificates (CN = unit id, no password; tls.clientCa), then with passwords over
# server-authenticated TLS. Prints, per case, the seconds until every unit was connected, refusals, the gateway's
# and the simulator's CPU per connection (TLS handshake + CONNECT + SUBSCRIBE), and the TLS engines in use.
#
# Makes a CA and a server certificate for 127.0.0.1 with the openssl CLI (EC P-256) in a temporary directory,
# starts target/fleetgate.jar in memory with tls.cert, tls.key and tls.clientCa (cheap Argon2, as the other
# scripts: provisioning thousands of units at the production cost takes minutes; logins use the keyed verifier
# either way), provisions UNITS units over REST, then per case runs
#
#   simulate --idle --tls --ca ca.pem [--client-ca-cert ca.pem --client-ca-key ca-key.pem] --credentials F \
#     --connect-rate 100000 --source-addresses SOURCES --duration HOLD --report-every 1
#
# The simulator issues the units' certificates in memory before any unit connects, and times "all units
# connected" from the start of its connect ramp. Gateway CPU = its utime+stime (/proc/PID/stat) from just
# before the simulator starts until every unit is connected (the gateway is idle otherwise), ÷ UNITS; the
# simulator's from its "TLS (…)" line (JVM started, certificates issued, no unit connecting yet) to the same
# point. Both processes
# share the machine's cores: note the load average printed with the results.
#
# Before each case the same storm runs with WARMUP_UNITS of the units, not measured (class loading and JIT of
# the handshake and login paths on both sides; 0 = a cold gateway, as after a restart).
#
# CONNECT_RATE paces the units instead (e.g. 20/s): no handshake then waits behind others or times out, so the CPU
# per connection is that of one handshake and login, not of retries.
#
# Environment: UNITS (2000), CASES ("cert password"), WARMUP_UNITS (200), CONNECT_RATE (100000),
# SOURCES (127.0.0.1-127.0.0.8), HOLD (5 s),
# TLS_ENGINE (openssl; the gateway's tls.engine), SIM_TLS_ENGINE (openssl), MQTT_TLS_PORT (18884),
# GATEWAY_OPTS (-Xms1g -Xmx1g), SIM_OPTS (-Xms1g -Xmx1g -XX:TieredStopAtLevel=1: the simulator is a fresh JVM per
# case and its C2 compilations took more CPU than its handshakes in a short storm; with C1 only 792 instead
# of 6 of 2,000 units got in within 52 s on the loaded machine), and those of lib-gateway.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib-gateway.sh

UNITS=${UNITS:-2000}
CASES=${CASES:-cert password}
SOURCES=${SOURCES:-127.0.0.1-127.0.0.8}
HOLD=${HOLD:-5}
WARMUP_UNITS=${WARMUP_UNITS:-200}
CONNECT_RATE=${CONNECT_RATE:-100000}
TLS_ENGINE=${TLS_ENGINE:-openssl}
SIM_TLS_ENGINE=${SIM_TLS_ENGINE:-openssl}
MQTT_TLS_PORT=${MQTT_TLS_PORT:-18884}
GATEWAY_OPTS=${GATEWAY_OPTS:--Xms1g -Xmx1g}
SIM_OPTS=${SIM_OPTS:--Xms1g -Xmx1g -XX:TieredStopAtLevel=1}
WORK=$(mktemp -d)
SIM_PID=""
cleanup() {
  if [[ -n "$SIM_PID" ]]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  stop_gateway
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v openssl >/dev/null || { echo "needs the openssl command (apt-get install openssl)" >&2; exit 1; }
if (( $(ulimit -n) < UNITS + 1000 )); then
  ulimit -n $((UNITS + 1000)) 2>/dev/null || { echo "need ulimit -n >= $((UNITS + 1000)) (now $(ulimit -n))" >&2; exit 1; }
fi
build_if_needed

# a CA (its key also issues the units' certificates, in the simulator) and a server certificate; keys as PKCS#8
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ca-key.pem" -out "$WORK/ca.pem" \
  -days 2 -subj "/CN=fleetgate bench CA" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/server-key.pem" \
  -out "$WORK/server.csr" -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$WORK/san.ext"
openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca-key.pem" -CAcreateserial -days 2 \
  -extfile "$WORK/san.ext" -out "$WORK/server.pem" 2>/dev/null

FLEETGATE_TLS_CERT="$WORK/server.pem" FLEETGATE_TLS_KEY="$WORK/server-key.pem" FLEETGATE_TLS_CLIENT_CA="$WORK/ca.pem" \
FLEETGATE_TLS_ENGINE=$TLS_ENGINE FLEETGATE_MQTT_TLS_PORT=$MQTT_TLS_PORT FLEETGATE_TCP_TLS_PORT=$((MQTT_TLS_PORT + 1)) \
FLEETGATE_TCP_HOST=127.0.0.1 \
  start_gateway "$WORK/gateway.log" $GATEWAY_OPTS
until grep -q 'TLS: [a-z]* engine' "$WORK/gateway.log"; do sleep 0.2; done # the "listening" line, after every port
gateway_engine=$(grep -o 'TLS: [a-z]* engine' "$WORK/gateway.log" | head -1 | sed 's/TLS: //; s/ engine//' || true)
echo "gateway pid $GW_PID ($GATEWAY_OPTS): mqtt-tls $MQTT_TLS_PORT, TLS engine ${gateway_engine:-unknown}" >&2

echo "provisioning $UNITS units" >&2
sim_common=(--host 127.0.0.1 --api-url "http://127.0.0.1:$HTTP_PORT" --admin-id "$ADMIN_ID" --admin-secret "$ADMIN_SECRET"
  --credentials "$WORK/creds.json")
timeout 3600 java $SIM_OPTS -jar "$JAR" simulate "${sim_common[@]}" --units "$UNITS" --unit-prefix tls- \
  --fleet-id tls-fleet --provision-only >&2

# refused NAME: the gateway's refused MQTT CONNECTs so far, all reasons
refused() {
  curl -s "http://127.0.0.1:$HTTP_PORT/metrics" \
    | awk '/^fleetgate_mqtt_connect_refused_total\{/ { s += $NF } END { printf "%.0f", s }'
}

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
rows=()
for case in $CASES; do
  case $case in
    cert) tls_args=(--client-ca-cert "$WORK/ca.pem" --client-ca-key "$WORK/ca-key.pem") ;;
    password) tls_args=() ;;
    *) echo "CASES: cert or password, got $case" >&2; exit 2 ;;
  esac
  rm -f "$WORK/sim.out"
  mkfifo "$WORK/sim.out"
  if ((WARMUP_UNITS > 0)); then # the same storm in small, not measured: JIT and class loading on both sides
    java $SIM_OPTS -jar "$JAR" simulate "${sim_common[@]}" --port "$MQTT_TLS_PORT" --idle --units "$WARMUP_UNITS" \
      --tls --ca "$WORK/ca.pem" --tls-engine "$SIM_TLS_ENGINE" "${tls_args[@]}" --connect-rate 100000 \
      --source-addresses "$SOURCES" --duration 1 >"$WORK/warmup.out" 2>&1 || { tail -5 "$WORK/warmup.out" >&2; exit 1; }
    sleep 2
  fi
  load0=$(cut -d' ' -f1 /proc/loadavg)
  refused0=$(refused)
  cpu0=$(cpu_us "$GW_PID")
  timeout $((HOLD + 600 + UNITS / 10)) java $SIM_OPTS -jar "$JAR" simulate "${sim_common[@]}" --port "$MQTT_TLS_PORT" --idle \
    --tls --ca "$WORK/ca.pem" --tls-engine "$SIM_TLS_ENGINE" "${tls_args[@]}" --connect-rate "$CONNECT_RATE" \
    --source-addresses "$SOURCES" --duration "$HOLD" --report-every 1 >"$WORK/sim.out" &
  SIM_PID=$!
  sim_java="" # the simulator's JVM, child of timeout
  sim0=""; cpu1=""; sim1=""; last_connected=0; last_at="?"; seconds=""; connected=0; summary=""; sim_engine=""; issue_s="-"
  while IFS= read -r line; do
    case "$line" in
      "TLS ("*)
        sim_java=$(cat "/proc/$SIM_PID/task/$SIM_PID/children" | awk '{print $1}')
        sim0=$(cpu_us "$sim_java")
        sim_engine=$(sed -E 's/^TLS \(([a-z]+) engine.*/\1/' <<<"$line")
        issue_s=$(sed -nE 's/.* issued in ([0-9.]+) s.*/\1/p' <<<"$line")
        echo "  $line" >&2 ;;
      "all units connected"*|"not all units connected"*)
        cpu1=$(cpu_us "$GW_PID"); sim1=$(cpu_us "$sim_java")
        connected=$(grep -o '([0-9]*' <<<"$line" | tr -dc '0-9')
        seconds=$(sed -nE 's/.* in ([0-9.]+) s$/\1/p' <<<"$line")
        echo "  $line" >&2 ;;
      SUMMARY*) summary=$line ;;
      "["*"] units "*)
        last_connected=$(sed -nE 's/.* units ([0-9]+)\/.*/\1/p' <<<"$line")
        last_at=$(sed -nE 's/^\[ *([0-9]+)s\].*/\1/p' <<<"$line")
        echo "  $line" >&2 ;;
      *) echo "  $line" >&2 ;;
    esac
  done <"$WORK/sim.out"
  wait "$SIM_PID" || true
  SIM_PID=""
  if ! kill -0 "$GW_PID" 2>/dev/null; then
    echo "$case: the gateway exited during the storm:" >&2
    tail -20 "$WORK/gateway.log" >&2
    exit 1
  fi
  load1=$(cut -d' ' -f1 /proc/loadavg)
  if [[ -z "$cpu1" ]]; then
    # the simulator gave up (its connect deadline): what the last progress line saw, gateway CPU until now
    echo "$case: not all units connected; the last progress line saw $last_connected at ${last_at} s" >&2
    rows+=("| $(date -u +%F) | $commit | $case | $UNITS @ $CONNECT_RATE/s | $last_connected (at ${last_at} s) | not all | $(( $(refused) - refused0 )) / - | $(( ($(cpu_us "$GW_PID") - cpu0) / 1000 )) ms in all ($gateway_engine) | - ($sim_engine) | ${issue_s:--} | $load0 → $(cut -d' ' -f1 /proc/loadavg) |")
    continue
  fi
  refusals=$(( $(refused) - refused0 ))
  failures=$(summary_field "$summary" connect_failures)
  gw_per=$(awk -v c="$((cpu1 - cpu0))" -v n="$connected" 'BEGIN { printf "%.0f", c / n }')
  sim_per=$(awk -v c="$((sim1 - ${sim0:-sim1}))" -v n="$connected" 'BEGIN { printf "%.0f", c / n }')
  gw_s=$(awk -v c="$((cpu1 - cpu0))" 'BEGIN { printf "%.1f", c / 1e6 }')
  sim_s=$(awk -v c="$((sim1 - ${sim0:-sim1}))" 'BEGIN { printf "%.1f", c / 1e6 }')
  echo "$case: $connected/$UNITS connected in $seconds s, $refusals refused CONNECTs, $failures failed attempts;" \
    "gateway $gw_s s CPU ($gw_per µs per connection, engine $gateway_engine), simulator $sim_s s ($sim_per µs, engine $sim_engine);" \
    "load $load0 → $load1" >&2
  rows+=("| $(date -u +%F) | $commit | $case | $UNITS @ $CONNECT_RATE/s | $connected | $seconds | $refusals / $failures | $gw_per ($gateway_engine) | $sim_per ($sim_engine) | ${issue_s:--} | $load0 → $load1 |")
done

echo
echo "| date | commit | login | units @ connect rate | connected | s until all connected | refused CONNECTs / failed attempts | gateway CPU µs per connection (engine) | simulator CPU µs per connection (engine) | s issuing certificates | load average |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
