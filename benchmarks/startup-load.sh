#!/usr/bin/env bash
# Start-up on PostgreSQL with a large working set: time from `java -jar` to listening, on an empty database
# and on one holding N vehicles with their units (a tenth of them archived), and whether an event loop was
# blocked while loading. Needs psql and the local PostgreSQL (FLEETGATE_TEST_PG, trust auth).
#
#   ./benchmarks/startup-load.sh [N=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib-gateway.sh

N=${1:-100000}
ADMIN_URL=${FLEETGATE_TEST_PG:-postgresql://postgres@127.0.0.1:5432/test}
DB=fleetgate_bench_$(date +%s)_$$
DB_URL=${ADMIN_URL%/*}/$DB
WORK=$(mktemp -d)
trap 'stop_gateway; psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null; rm -rf "$WORK"' EXIT

build_if_needed
psql -q "$ADMIN_URL" -c "CREATE DATABASE $DB" >/dev/null
export FLEETGATE_DB_URL=$DB_URL

# start_and_time LOG: starts the gateway; STARTED_S = seconds from launch to listening (not in a subshell:
# GW_PID must stay visible to stop_gateway)
start_and_time() {
  local t0
  t0=$(date +%s%N)
  start_gateway "$1"
  STARTED_S=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
}

start_and_time "$WORK/empty.log"
empty=$STARTED_S
stop_gateway

psql -q "$DB_URL" >/dev/null <<SQL
INSERT INTO fleets VALUES ('bench', 'Bench', now(), now());
INSERT INTO vehicle_ids SELECT 'V' || lpad(i::text, 7, '0'), i FROM generate_series(1, $N) i;
INSERT INTO vehicles
  SELECT 'V' || lpad(i::text, 7, '0'), i, 'bench', 'U' || i, now(), now(), now(),
         '{"vin": "WVWZZZ1JZXW000001", "brand": "NIU", "model": "NQi GTS", "vehicle_type": "SCOOTER"}',
         '[["depot", "north"], ["cost_center", "4711"]]', '["berlin", "night"]', 'OPERATING', now(),
         '{"commands": ["LOCK_CENTRAL_LOCK", "UNLOCK_CENTRAL_LOCK"], "vehicle_state": ["POSITION", "CENTRAL_LOCK", "MILEAGE_IN_KILOMETERS"]}',
         CASE WHEN i % 10 = 0 THEN now() END, CASE WHEN i % 10 = 0 THEN i END
  FROM generate_series(1, $N) i;
INSERT INTO telematics_units
  SELECT 'V' || lpad(i::text, 7, '0'), 'U' || i, 'NIU', 'N1', 'INVERS', 'RETROFIT', 'bench',
         '\$argon2id\$v=19\$m=64,t=1,p=1\$c2FsdHNhbHQ\$aGFzaGhhc2hoYXNoaGFzaA', 1, now(), now(), i % 10 = 0
  FROM generate_series(1, $N) i;
SQL

start_and_time "$WORK/loaded.log"
loaded=$STARTED_S
blocked=$(grep -c "has been blocked" "$WORK/loaded.log" || true)
heap=$(heap_used_kib "$GW_PID")
stop_gateway

echo "SUMMARY vehicles=$N archived=$((N / 10)) start_empty_s=$empty start_loaded_s=$loaded load_s=$(awk -v a="$empty" -v b="$loaded" 'BEGIN {printf "%.2f", b - a}') heap_after_gc_mib=$((heap / 1024)) blocked_warnings=$blocked"
