#!/usr/bin/env bash
# TLS handshakes per second on the gateway's TCP TLS port (tcp.tlsPort), OpenSSL (netty-tcnative) vs the
# JDK's engine, EC P-256 vs RSA 2048 server key.
#
# Makes a CA and server certificates with the openssl CLI in a temporary directory, then for each engine and
# key starts target/fleetgate.jar (in memory, loopback only) and runs CLIENTS parallel `openssl s_time -new`
# (a full handshake per connection, TLS 1.3 as negotiated, no session reuse) for DURATION seconds after a
# WARMUP. Handshakes/s = connections all clients completed ÷ DURATION; gateway CPU µs/handshake = the
# gateway's utime+stime (/proc/PID/stat) in that window ÷ those connections. The clients run on the same
# machine and compete for the same cores: compare rows of one machine only. Needs openssl (Debian: openssl).
#
# Environment: DURATION (10 s), WARMUP (5 s), CLIENTS (2), ENGINES ("openssl jdk"), KEYS ("ec rsa"),
# TLS_PORT (15101), GATEWAY_OPTS (-Xmx512m).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib-gateway.sh

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
CLIENTS=${CLIENTS:-2}
ENGINES=${ENGINES:-openssl jdk}
KEYS=${KEYS:-ec rsa}
TLS_PORT=${TLS_PORT:-15101}
WORK=$(mktemp -d)
trap 'stop_gateway; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

command -v openssl >/dev/null || { echo "needs the openssl command (apt-get install openssl)" >&2; exit 1; }
build_if_needed

# certificates: a CA, and a server certificate for 127.0.0.1 per key type, keys as PKCS#8
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ca-key.pem" -out "$WORK/ca.pem" \
  -days 2 -subj "/CN=fleetgate bench CA" 2>/dev/null
for key in $KEYS; do
  case $key in
    ec) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
    rsa) newkey=(-newkey rsa:2048) ;;
    *) echo "KEYS: ec or rsa, got $key" >&2; exit 2 ;;
  esac
  openssl req -new "${newkey[@]}" -nodes -keyout "$WORK/$key-key.pem" -out "$WORK/$key.csr" -subj "/CN=localhost" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$WORK/san.ext"
  openssl x509 -req -in "$WORK/$key.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca-key.pem" -CAcreateserial -days 2 \
    -extfile "$WORK/san.ext" -out "$WORK/$key.pem" 2>/dev/null
done

# s_time_all SECONDS: runs CLIENTS s_time in parallel, prints the connections they completed in all
s_time_all() {
  local seconds=$1 pids=() i total=0 n
  for ((i = 0; i < CLIENTS; i++)); do
    openssl s_time -connect "127.0.0.1:$TLS_PORT" -new -time "$seconds" -CAfile "$WORK/ca.pem" >"$WORK/s_time.$i" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
  for ((i = 0; i < CLIENTS; i++)); do
    n=$(sed -nE 's/^([0-9]+) connections in [0-9.]+ real seconds.*/\1/p' "$WORK/s_time.$i" | head -1)
    total=$((total + ${n:-0}))
  done
  echo "$total"
}

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
rows=()
for engine in $ENGINES; do
  for key in $KEYS; do
    FLEETGATE_TLS_CERT="$WORK/$key.pem" FLEETGATE_TLS_KEY="$WORK/$key-key.pem" FLEETGATE_TLS_ENGINE=$engine \
    FLEETGATE_TCP_TLS_PORT=$TLS_PORT FLEETGATE_MQTT_TLS_PORT=$((TLS_PORT + 1)) FLEETGATE_TCP_HOST=127.0.0.1 \
      start_gateway "$WORK/gateway-$engine-$key.log" ${GATEWAY_OPTS:--Xmx512m}
    until (exec 3<>/dev/tcp/127.0.0.1/"$TLS_PORT") 2>/dev/null; do sleep 0.2; done
    grep -o 'TLS: [a-z]* engine' "$WORK/gateway-$engine-$key.log" >&2 || true
    s_time_all "$WARMUP" >/dev/null
    cpu0=$(cpu_us "$GW_PID")
    n=$(s_time_all "$DURATION")
    cpu1=$(cpu_us "$GW_PID")
    stop_gateway
    rate=$(awk -v n="$n" -v d="$DURATION" 'BEGIN { printf "%.0f", n / d }')
    per=$(awk -v c="$((cpu1 - cpu0))" -v n="$n" 'BEGIN { if (n > 0) printf "%.0f", c / n; else print "n/a" }')
    echo "$engine $key: $n handshakes in $DURATION s, $rate/s, gateway CPU $per µs each" >&2
    rows+=("| $(date -u +%F) | $commit | $engine | $key | $CLIENTS | $rate | $per |")
  done
done

echo
echo "| date | commit | engine | server key | parallel clients | handshakes/s | gateway CPU µs/handshake |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
