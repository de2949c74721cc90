#!/usr/bin/env bash
# State-history insert rate against the local PostgreSQL (issue 4 item 8a): PgStateStore.record() as the
# ingest path uses it, and the two batch forms it was chosen from (multi-row INSERT ... unnest vs
# executeBatch of single-row INSERTs). Creates a database of its own and drops it afterwards.
#
# Compiles HistoryInsertRate against target/fleetgate.jar (the fat jar: no `mvn install` needed) and runs it.
# Environment: PG (postgresql://postgres@127.0.0.1:5432), ROWS (500000), BATCH (4000), WINDOW (50000), WRITERS (2: the store's parallel
# history writers).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib-gateway.sh
PG=${PG:-postgresql://postgres@127.0.0.1:5432}
DB=fleetgate_bench_$(date +%s)_$$
WORK=$(mktemp -d)
trap 'psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

build_if_needed
javac -d "$WORK" -cp "$JAR" benchmarks/src/main/java/io/fleetgate/benchmarks/Frames.java \
  benchmarks/src/main/java/io/fleetgate/benchmarks/HistoryInsertRate.java
psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
java -Xmx1g -cp "$WORK:$JAR" io.fleetgate.benchmarks.HistoryInsertRate "$PG/$DB" "${ROWS:-500000}" "${BATCH:-4000}" "${WINDOW:-50000}" "${WRITERS:-2}"
