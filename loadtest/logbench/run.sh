#!/usr/bin/env bash
# The cached embed path's access line through each candidate logging stack, the candidates taking turns ROUNDS
# times (this machine's other load moves CPU figures between runs; the byte counts are exact and stable):
#   loadtest/logbench/run.sh [lines]        (default 300000 measured after 100000 of warm-up; ROUNDS=3)
# Uses the gateway's own logback.xml, appender and access marker. Lines go to /dev/shm (or $OUT_DIR).
set -euo pipefail
cd "$(dirname "$0")"
LINES="${1:-300000}"
ROUNDS="${ROUNDS:-3}"
OUT_DIR="${OUT_DIR:-/dev/shm}"
mvn -B -q compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
CP="target/classes:$(cat target/cp.txt)"
LOGBACK="-Dslf4j.provider=ch.qos.logback.classic.spi.LogbackServiceProvider -Dlogback.configurationFile"
LOG4J2="-Dslf4j.provider=org.apache.logging.slf4j.SLF4JServiceProvider -Dlog4j2.configurationFile=log4j2.xml
  -Dlog4j2.contextSelector=org.apache.logging.log4j.core.async.AsyncLoggerContextSelector -Dlog4j2.asyncLoggerRingBufferSize=8192"
run() { # name calls jvm-options...
  local name=$1 calls=$2; shift 2
  java -Xmx384m -XX:+UseSerialGC "$@" -cp "$CP" io.tokengateway.logbench.AccessLineBench "$calls" 100000 "$LINES" \
    > "$OUT_DIR/logbench-$name.out" 2> "$OUT_DIR/logbench-$name.err"
  local written; written=$(wc -l < "$OUT_DIR/logbench-$name.out")
  printf '%-34s %s  (%s lines written)\n' "$name" "$(grep 'B/line' "$OUT_DIR/logbench-$name.err")" "$written"
  [[ $written -eq $((LINES + 100000)) ]] || echo "  $name dropped lines: its figures do not count"
  rm -f "$OUT_DIR/logbench-$name.out" "$OUT_DIR/logbench-$name.err"
}
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS"
  run logback-before-asyncappender-kv kv $LOGBACK=logback-before.xml
  run logback-jsonencoder-fluent fluent $LOGBACK=logback-jsonencoder.xml
  run logback-gateway-kv kv $LOGBACK=../../src/main/resources/logback.xml
  run logback-gateway-marker marker $LOGBACK=../../src/main/resources/logback.xml
  # shellcheck disable=SC2086
  run log4j2-async-jsontemplate params $LOG4J2
done
