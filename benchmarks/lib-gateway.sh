# Shared by the end-to-end benchmark scripts (sourced, not run): start/stop a gateway jar, read its CPU and memory.
# Everything here binds and targets 127.0.0.1 only.

JAR=${JAR:-target/fleetgate.jar}
HTTP_PORT=${HTTP_PORT:-18080}
MQTT_PORT=${MQTT_PORT:-11884}
TCP_PORT=${TCP_PORT:-15100}
ADMIN_ID=${FLEETGATE_ADMIN_CLIENT_ID:-bench-admin}
ADMIN_SECRET=${FLEETGATE_ADMIN_CLIENT_SECRET:-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)}
CLK_TCK=$(getconf CLK_TCK)
# JVM settings of the issue 7 harness (e2e-all, e2e-ingest, e2e-commands); GATEWAY_OPTS / SIM_OPTS / SIM_PREFIX
# override them. Heaps are fixed and touched at start (-Xms = -Xmx, AlwaysPreTouch) so that heap growth and
# first-touch page faults stay out of the measured windows (they were a tenth of the simulator's CPU in a 30 s
# run). Transparent huge pages (madvise mode on this kernel) cut TLB misses: the command p99 went from about
# 6.4-7 ms to 5.6 ms in one pair of runs. The gateway gets 2 GiB, the heap budget of the issue. The simulator
# promotes early (MaxTenuringThreshold=2: its long-lived unit state was copied between survivor spaces at every
# young collection).
DEFAULT_GATEWAY_OPTS="-Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:+UseTransparentHugePages"
DEFAULT_SIM_OPTS="-Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+UseTransparentHugePages -XX:MaxTenuringThreshold=2"
# Latency runs (e2e-commands, the latency section) start the simulator at nice 10 (LATENCY_SIM_PREFIX), so that
# on two shared cores the gateway under test is scheduled first; the simulator still times each request from
# before it is sent to when its answer is handled, so its own delays count against the gateway, never for it.
# Throughput runs (ingest, Mosquitto) keep it at the same priority: a niced load generator makes the gateway wake
# for smaller batches per read, which raised its CPU per frame from 2.4 to 4.9 µs (QoS 0 binary) in one pair of runs.
LATENCY_SIM_PREFIX=${LATENCY_SIM_PREFIX-nice -n 10}
SIM_PREFIX=${SIM_PREFIX-}
GW_PID=""

build_if_needed() {
  if [[ ! -f "$JAR" ]]; then
    echo "building $JAR" >&2
    mvn -B -q package -DskipTests >&2
  fi
}

# start_gateway LOGFILE [JVM options...]: the gateway in memory, on loopback, with a known administrator.
# SIGQUIT is reset to its default for the JVM: a background job of a script inherits it ignored, and a JVM
# started so cannot be attached to (jcmd, which heap_used_kib and the overload scripts use).
# Password hashing is made cheap (FLEETGATE_HASH_*): these benchmarks measure ingestion and connections,
# not Argon2, and provisioning thousands of units at the production cost would take many minutes.
# The per-client REST rate limit is lifted (RATE_LIMIT) for the same reason: one load client, many requests.
start_gateway() {
  local log=$1
  shift
  FLEETGATE_HTTP_HOST=127.0.0.1 FLEETGATE_MQTT_HOST=127.0.0.1 \
  FLEETGATE_HTTP_PORT=$HTTP_PORT FLEETGATE_MQTT_PORT=$MQTT_PORT FLEETGATE_TCP_PORT=$TCP_PORT \
  FLEETGATE_ADMIN_CLIENT_ID=$ADMIN_ID FLEETGATE_ADMIN_CLIENT_SECRET=$ADMIN_SECRET \
  FLEETGATE_HASH_MEMORY_KI_B=${HASH_MEMORY_KIB:-64} FLEETGATE_HASH_ITERATIONS=1 \
  FLEETGATE_MQTT_MAX_CONNECTIONS=1000000 \
  FLEETGATE_RATE_REQUESTS_PER_SECOND=${RATE_LIMIT:-1000000} FLEETGATE_RATE_BURST=${RATE_LIMIT:-1000000} \
    env --default-signal=QUIT java "$@" -jar "$JAR" run >"$log" 2>&1 &
  GW_PID=$!
  local deadline=$((SECONDS + ${START_TIMEOUT:-60}))
  until (exec 3<>/dev/tcp/127.0.0.1/"$MQTT_PORT") 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/"$HTTP_PORT") 2>/dev/null; do
    if ! kill -0 "$GW_PID" 2>/dev/null; then
      echo "gateway exited during start-up:" >&2
      tail -5 "$log" >&2
      return 1
    fi
    if ((SECONDS > deadline)); then
      echo "gateway did not listen on $HTTP_PORT and $MQTT_PORT within ${START_TIMEOUT:-60} s" >&2
      return 1
    fi
    sleep 0.2
  done
}

stop_gateway() {
  if [[ -n "$GW_PID" ]] && kill -0 "$GW_PID" 2>/dev/null; then
    kill "$GW_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$GW_PID" 2>/dev/null || true
    wait "$GW_PID" 2>/dev/null || true
  fi
  GW_PID=""
}

# cpu_us PID: user + system CPU time of the process so far, in microseconds (/proc/PID/stat fields 14 and 15).
cpu_us() {
  local rest
  rest=$(sed 's/^.*) //' "/proc/$1/stat") # the command name may contain spaces; fields restart after ')'
  set -- $rest
  echo $(( (${12} + ${13}) * 1000000 / CLK_TCK ))
}

# rss_kib PID
rss_kib() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# heap_used_kib PID: heap in use right after a full GC.
heap_used_kib() {
  jcmd "$1" GC.run >/dev/null
  sleep 1
  jcmd "$1" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc '0-9'
}

# summary_field "SUMMARY ..." key
# Frames the gateway accepted so far (all MQTT formats), from its own Prometheus counter.
frames_accepted() {
  curl -s "http://127.0.0.1:$HTTP_PORT/metrics" \
    | awk '/^fleetgate_frames_accepted_total\{/ { s += $NF } END { printf "%.0f", s }'
}

summary_field() {
  tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

# REST helpers against the gateway started here ($HTTP_PORT).
API="http://127.0.0.1:$HTTP_PORT"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
token() { curl -sf -u "$1:$2" -d grant_type=client_credentials "$API/auth/oauth/token" | json "['access_token']"; }

# state_event_queue FLEET NAME: an events client of FLEET and an event consumer NAME of its VehicleStateRecorded
# events (POST /event-consumers); prints the consumer's RabbitMQ queue.
state_event_queue() {
  local admin client fleet_token
  admin=$(token "$ADMIN_ID" "$ADMIN_SECRET")
  client=$(curl -sf -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"name\": \"$2 events\", \"permissions\": [\"events\"]}" "$API/fleets/$1/api-clients")
  fleet_token=$(token "$(echo "$client" | json "['client_id']")" "$(echo "$client" | json "['client_secret']")")
  curl -sf -H "Authorization: Bearer $fleet_token" -H 'Content-Type: application/json' \
    -d "{\"name\": \"$2\", \"topics\": [\"VehicleStateRecorded\"]}" "$API/event-consumers" | json "['queues'][0]['queue']"
}

# fresh_database: an empty PostgreSQL database for this run (local server, user postgres), exported as
# FLEETGATE_DB_URL; drop_database (call it from the script's EXIT trap) drops it again.
fresh_database() {
  BENCH_DB=fleetgate_bench_$RANDOM$RANDOM
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $BENCH_DB"
  export FLEETGATE_DB_URL="postgresql://postgres@127.0.0.1:5432/$BENCH_DB"
}
drop_database() {
  if [[ -n ${BENCH_DB:-} ]]; then
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB" >/dev/null 2>&1 || true
  fi
}

# cluster_node I [single]: starts node I of a local benchmark cluster, HTTP 28080+I, MQTT 21884+I, TCP 25100+I,
# Hazelcast 25801+I, log WORK/nodeI.log, JVM options GATEWAY_OPTS; a member of CLUSTER_MEMBERS named
# CLUSTER_NAME unless "single" is given. Its pid in GW_PID. A node that did not start in time is killed (it must
# not outlive the script).
cluster_node() {
  local i=$1 single=${2:-}
  if [[ -z $single ]]; then
    FLEETGATE_CLUSTER_MEMBERS=$CLUSTER_MEMBERS FLEETGATE_CLUSTER_PORT=$((25801 + i)) FLEETGATE_CLUSTER_NAME=$CLUSTER_NAME \
    HTTP_PORT=$((28080 + i)) MQTT_PORT=$((21884 + i)) TCP_PORT=$((25100 + i)) start_gateway "$WORK/node$i.log" $GATEWAY_OPTS \
      || { kill "$GW_PID" 2>/dev/null; return 1; }
  else
    HTTP_PORT=$((28080 + i)) MQTT_PORT=$((21884 + i)) TCP_PORT=$((25100 + i)) start_gateway "$WORK/node$i.log" $GATEWAY_OPTS \
      || { kill "$GW_PID" 2>/dev/null; return 1; }
  fi
}
