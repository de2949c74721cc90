#!/usr/bin/env bash
# State history at fleet scale, scaled down (issue 13 point 4): a day of history at UNITS units x 1 frame/s is
# generated straight into a day partition of the V7 schema (INSERT ... SELECT generate_series, no gateway), and
# as it fills (after each of CHUNKS parts of HOURS) this measures, with pgbench against the local PostgreSQL:
#   insert   the gateway's batched insert (INSERT ... SELECT FROM unnest of three arrays, BATCH rows, WRITERS
#            connections as the store's parallel writers) through the partitioned parent: rows/s
#   read     the newest-first keyset page of GET /vehicles/{id}/states (LIMIT 50, generic prepared plan) for
#            random vehicles: first page unbounded in time (Merge Append over every partition), a page at a
#            random position in the day, and the first page within the last hour (pruned to one partition):
#            p50/p99 in ms
# and, at the end, bytes per row (heap + key index, pg_total_relation_size), then retention: DROP TABLE of the
# filled day partition against the pre-V7 way (5,000-row DELETEs walking the id index of an unpartitioned table
# of DELETE_HOURS hours of the same rows). The other DAYS day partitions exist but are empty (their index
# descents are one page each; full ones cost 3-4). Creates a database of its own and drops it afterwards.
#
# The machine is shared: read the load average printed at the start and the end beside the numbers.
# Environment: PG (postgresql://postgres@127.0.0.1:5432), UNITS (1000), HOURS (6: a whole day, 24, takes about
# four times as long and 20 GB), CHUNKS (3), DAYS (30),
# MEASURE (10 s per measurement), BATCH (4000), WRITERS (2), DELETE_HOURS (1), DELETE_BATCHES (100).
set -euo pipefail
cd "$(dirname "$0")/.."
PG=${PG:-postgresql://postgres@127.0.0.1:5432}
UNITS=${UNITS:-1000} HOURS=${HOURS:-6} CHUNKS=${CHUNKS:-3} DAYS=${DAYS:-30} MEASURE=${MEASURE:-10}
BATCH=${BATCH:-4000} WRITERS=${WRITERS:-2} DELETE_HOURS=${DELETE_HOURS:-1} DELETE_BATCHES=${DELETE_BATCHES:-100}
DB=fleetgate_bench_parts_$(date +%s)_$$
WORK=$(mktemp -d)
trap 'psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
sql() { psql "$PG/$DB" -v ON_ERROR_STOP=1 -qAtX "$@"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# p50 and p99 in ms of the per-transaction latencies (µs, third field) of pgbench logs
percentiles() { cat "$@" | awk '{ print $3 }' | sort -n | awk '{ v[NR] = $1 } END { printf "p50 %.2f ms, p99 %.2f ms (%d reads)", v[int(NR * 0.5) + 1] / 1000, v[int(NR * 0.99) + 1] / 1000, NR }'; }

DAY_MS=86400000
D0=$(( $(date -u +%s) / 86400 * DAY_MS ))
PAYLOAD="decode(repeat('a5', 60), 'hex')" # 60 bytes: a typical frame (position, speed, one more reading) in PgReadingCodec's form
VEHICLE="'V' || lpad(%s::text, 6, '0')"
echo "history-partitions: UNITS=$UNITS HOURS=$HOURS CHUNKS=$CHUNKS DAYS=$DAYS MEASURE=${MEASURE}s BATCH=$BATCH WRITERS=$WRITERS; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(psql "$PG/postgres" -AtXc 'SHOW server_version')"

psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
for f in $(ls src/main/resources/db/migration/V*.sql | sort -V); do sql -1 -f "$f" >/dev/null; done

# the day partitions as the gateway makes them (PgHistoryPartitions): a plain table, attached
part() { echo "state_history_p$(date -u -d "@$(( $1 / 1000 ))" +%Y%m%d)"; }
for d in $(seq "$DAYS" -1 0) -1; do
  from=$(( D0 - d * DAY_MS ))
  sql -c "CREATE TABLE $(part $from) (LIKE state_history INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
          ALTER TABLE state_history ATTACH PARTITION $(part $from) FOR VALUES FROM ($from) TO ($(( from + DAY_MS )))"
done
P=$(part "$D0")
# ids of the generated rows: second * UNITS + unit + 1 (time order, as the identity gives them); rows the
# benchmark inserts through the parent take their ids from the identity, far above, and times in the last
# second filled (newest by id and within the last hour, as a live gateway's rows are)
sql -c "SELECT setval(pg_get_serial_sequence('state_history', 'id'), 1000000000000)" >/dev/null

cat > "$WORK/insert.sql" <<EOF
\set base random(0, 1000000000)
INSERT INTO state_history (vehicle_id, recorded_at, readings)
  SELECT * FROM unnest(ARRAY(SELECT $(printf "$VEHICLE" "((:base + g) % :units)") FROM generate_series(1, :batch) g)::text[],
                       ARRAY(SELECT :at::bigint - g FROM generate_series(1, :batch) g)::bigint[],
                       ARRAY(SELECT $PAYLOAD FROM generate_series(1, :batch) g)::bytea[]);
EOF
cat > "$WORK/first.sql" <<EOF
\set u random(0, :units - 1)
SELECT id, recorded_at, readings FROM state_history WHERE vehicle_id = $(printf "$VEHICLE" ":u") AND id < 9223372036854775807
  AND recorded_at >= -9223372036854775808 AND recorded_at <= 9223372036854775807 ORDER BY id DESC LIMIT 50;
EOF
cat > "$WORK/deep.sql" <<EOF
\set u random(0, :units - 1)
\set before random(1, :maxid)
SELECT id, recorded_at, readings FROM state_history WHERE vehicle_id = $(printf "$VEHICLE" ":u") AND id < :before::bigint
  AND recorded_at >= -9223372036854775808 AND recorded_at <= 9223372036854775807 ORDER BY id DESC LIMIT 50;
EOF
cat > "$WORK/hour.sql" <<EOF
\set u random(0, :units - 1)
SELECT id, recorded_at, readings FROM state_history WHERE vehicle_id = $(printf "$VEHICLE" ":u") AND id < 9223372036854775807
  AND recorded_at >= :at::bigint - 3600000 AND recorded_at <= :at::bigint ORDER BY id DESC LIMIT 50;
EOF

read_test() { # name script at maxid
  rm -f "$WORK"/read.*
  pgbench -n -c 1 -T "$MEASURE" -M prepared -l --log-prefix="$WORK/read" -D units="$UNITS" -D at="$3" -D maxid="$4" \
    -f "$WORK/$2" "$PG/$DB" >/dev/null 2>&1
  echo "    read $1: $(percentiles "$WORK"/read.*)"
}

PER_CHUNK=$(( HOURS * 3600 / CHUNKS ))
for c in $(seq 0 $(( CHUNKS - 1 ))); do
  s0=$(( c * PER_CHUNK )); s1=$(( (c + 1) * PER_CHUNK - 1 ))
  t=$(now)
  sql -c "SET synchronous_commit = off;
          INSERT INTO $P (id, vehicle_id, recorded_at, readings)
            SELECT s::bigint * $UNITS + u + 1, $(printf "$VEHICLE" u), $D0 + s::bigint * 1000 + u % 1000, $PAYLOAD
              FROM generate_series($s0, $s1) s, generate_series(0, $UNITS - 1) u" >/dev/null
  gen=$(elapsed "$t")
  sql -c "ANALYZE $P" >/dev/null
  at=$(( D0 + (s1 + 1) * 1000 ))
  rows=$(( (s1 + 1) * UNITS ))
  echo "filled $(( (s1 + 1) / 3600 )) h: $rows rows in $P (this part generated in ${gen} s, $(awk -v r=$(( PER_CHUNK * UNITS )) -v s="$gen" 'BEGIN { printf "%d", r / s }') rows/s), $(sql -c "SELECT pg_size_pretty(pg_total_relation_size('$P'))")"
  tps=$(pgbench -n -c "$WRITERS" -j "$WRITERS" -T "$MEASURE" -M prepared -D units="$UNITS" -D at="$at" -D batch="$BATCH" \
    -f "$WORK/insert.sql" "$PG/$DB" 2>/dev/null | awk '/^tps/ { print $3 }')
  echo "    insert: $(awk -v t="$tps" -v b="$BATCH" 'BEGIN { printf "%d rows/s (%.1f statements/s of %d rows)", t * b, t, b }')"
  read_test "first page, all partitions" first.sql "$at" "$rows"
  read_test "page at a random position" deep.sql "$at" "$rows"
  read_test "first page, last hour only" hour.sql "$at" "$rows"
done

sql -c "ANALYZE $P" >/dev/null # the rows the insert measurements added count too
echo "size of $P: $(sql -F' ' -c "SELECT 'rows', c.reltuples::bigint, 'heap', pg_relation_size(c.oid), 'index', pg_indexes_size(c.oid),
  'total', pg_total_relation_size(c.oid), 'bytes/row', round(pg_total_relation_size(c.oid) / greatest(c.reltuples, 1))
  FROM pg_class c WHERE c.relname = '$P'")"
echo "partitions: $(sql -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'state_history'::regclass")"

# retention, after: the whole day goes with one DROP TABLE
t=$(now)
sql -c "SET lock_timeout = '2s'; DROP TABLE $P"
echo "retention by partition: DROP TABLE $P ($(( HOURS * 3600 * UNITS )) generated rows and the inserted ones): $(elapsed "$t") s"

# retention, before V7: 5,000-row DELETEs walking the id index of the unpartitioned table (V3's layout)
sql -c "CREATE TABLE history_v3 (id bigint PRIMARY KEY, vehicle_id text NOT NULL, recorded_at bigint NOT NULL, readings bytea NOT NULL);
        CREATE INDEX history_v3_vehicle_id ON history_v3 (vehicle_id, id);
        SET synchronous_commit = off;
        INSERT INTO history_v3 SELECT s::bigint * $UNITS + u + 1, $(printf "$VEHICLE" u), $D0 + s::bigint * 1000 + u % 1000, $PAYLOAD
          FROM generate_series(0, $DELETE_HOURS * 3600 - 1) s, generate_series(0, $UNITS - 1) u;
        ANALYZE history_v3"
echo "DELETE FROM history_v3 WHERE id IN (SELECT id FROM (SELECT id, recorded_at FROM history_v3 ORDER BY id LIMIT 5000) oldest WHERE recorded_at < :cutoff);" > "$WORK/delete.sql"
t=$(now)
pgbench -n -c 1 -t "$DELETE_BATCHES" -D cutoff=$(( D0 + DAY_MS )) -f "$WORK/delete.sql" "$PG/$DB" >/dev/null 2>&1
secs=$(elapsed "$t")
echo "retention by DELETE (pre-V7): $DELETE_BATCHES statements of 5,000 rows in $secs s: $(awk -v n=$(( DELETE_BATCHES * 5000 )) -v s="$secs" 'BEGIN { printf "%d rows/s", n / s }') against $(( UNITS )) rows/s written at $UNITS units (1 frame/s)"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
