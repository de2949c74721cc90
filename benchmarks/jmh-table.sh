#!/usr/bin/env bash
# Runs every JMH benchmark (or those matching the arguments) with short settings and prints one markdown
# table: benchmark (with its parameters), score, error (99.9 %), unit.
#
# Builds and installs the gateway into the local Maven repository first (as run.sh does). Settings: one
# fork, 3 warm-up iterations of 1 s, 5 measured iterations of 1 s, average time; about 10 s per benchmark
# and parameter set, some 4 minutes for all. Override with JMH_OPTS, e.g. JMH_OPTS="-f 2 -wi 5 -i 10".
#
#   ./benchmarks/jmh-table.sh                       # all
#   ./benchmarks/jmh-table.sh EventSerialization    # one class (any JMH include pattern)
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -f ../pom.xml install -DskipTests >&2
mvn -B -q package >&2
out=target/jmh-result.json
# shellcheck disable=SC2086
java -jar target/benchmarks.jar ${JMH_OPTS:--f 1 -wi 3 -w 1s -i 5 -r 1s} -rf json -rff "$out" "$@" >&2
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "JMH, commit $commit, $(date -u +%F), settings: ${JMH_OPTS:--f 1 -wi 3 -w 1s -i 5 -r 1s}"
echo
echo "| benchmark | score | error (99.9 %) | unit |"
echo "| --- | ---: | ---: | --- |"
jq -r '.[] | [
    ((.benchmark | sub("^io\\.fleetgate\\.[a-z]+\\."; "")) +
      (if .params then " (" + ([.params | to_entries[] | "\(.key)=\(.value)"] | join(", ")) + ")" else "" end)),
    (.primaryMetric.score | if . >= 100 then (. | round | tostring) else ((. * 10 | round) / 10 | tostring) end),
    (.primaryMetric.scoreError | if . == "NaN" or . == null then "—" elif . >= 100 then (. | round | tostring) else ((. * 10 | round) / 10 | tostring) end),
    .primaryMetric.scoreUnit
  ] | "| " + join(" | ") + " |"' "$out"
