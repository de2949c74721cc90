#!/usr/bin/env bash
# Builds the gateway and the benchmarks, then runs JMH with short settings and prints the result table.
# Extra arguments go to JMH, e.g. ./run.sh 'CodecBenchmark.binary.*' -prof gc
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -f ../pom.xml install -DskipTests
mvn -B -q package
exec java -jar target/benchmarks.jar -f 1 -wi 3 -w 2s -i 5 -r 2s -rf text -rff target/jmh-result.txt "$@"
