#!/usr/bin/env bash
# Gateway CPU per frame with the PostgreSQL store (history committed before each ack, latest state written
# behind) versus in memory, at a fixed rate (issue 4 item 8b). Runs benchmarks/e2e-ingest.sh twice with
# TARGET_RATE (20000 frames/s) and the acknowledged cases (MQTT QoS 1 binary, TCP): once in memory, once with
# FLEETGATE_DB_URL set to a fresh database on the local PostgreSQL (created here, dropped afterwards).
#
# Environment: PG (postgresql://postgres@127.0.0.1:5432), TARGET_RATE (20000), CASES (qos1-binary tcp), and
# whatever e2e-ingest.sh takes (UNITS, DURATION, WARMUP, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
PG=${PG:-postgresql://postgres@127.0.0.1:5432}
DB=fleetgate_bench_$(date +%s)_$$
trap 'psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
export TARGET_RATE=${TARGET_RATE:-20000} CASES=${CASES:-qos1-binary tcp}

echo "== in memory" >&2
memory=$(env -u FLEETGATE_DB_URL bash benchmarks/e2e-ingest.sh | grep '^| 2')
psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
echo "== PostgreSQL ($DB)" >&2
pg=$(FLEETGATE_DB_URL="$PG/$DB" bash benchmarks/e2e-ingest.sh | grep '^| 2')
rows=$(psql "$PG/$DB" -Atc "SELECT count(*) FROM state_history")

echo
echo "| store | date | commit | transport | format | units | frames/s accepted | gateway CPU µs/frame | ack p50 / p99 / p99.9 ms |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
sed 's/^/| memory /' <<<"$memory"
sed 's/^/| PostgreSQL /' <<<"$pg"
echo
echo "state_history rows written in the PostgreSQL run (warm-up included): $rows"
