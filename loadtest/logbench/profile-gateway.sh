#!/usr/bin/env bash
# Where the gateway's allocation goes on the cached embed path, access line included:
#   loadtest/logbench/profile-gateway.sh [JAR] [VAR=value ...]      (default target/token-gateway.jar)
# runs the gateway on one event loop (CPU 1) under wrk (CPU 0, 16 connections, 27 s), records 15 s of JFR
# allocation samples after 8 s of warm-up, counts the requests of that window from gateway_requests_total and
# prints bytes per request, logging against the rest (AllocationSplit.java). Extra VAR=value pairs go to the
# gateway (e.g. GATEWAY_LOG_ACCESS=sampled). Ports: GW_PORT (18380), MGMT_PORT (18390). The gateway's stdout goes
# to LOG_OUT (/dev/null).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR="${1:-target/token-gateway.jar}"; shift || true
GW_PORT="${GW_PORT:-18380}"; MGMT_PORT="${MGMT_PORT:-18390}"; LOG_OUT="${LOG_OUT:-/dev/null}"
WORK=loadtest/logbench/target; mkdir -p "$WORK"
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk > /dev/null; }
[[ -f "$JAR" ]] || mvn -B -q package -DskipTests
JAR="$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")"
URL="http://127.0.0.1:$GW_PORT/api/fabric/embeds/tokens"
# run where no conf/gateway.yaml is (an older jar would refuse this one's newer keys)
(cd "$WORK" && exec env "$@" GATEWAY_PORT="$GW_PORT" GATEWAY_MANAGEMENT_PORT="$MGMT_PORT" GATEWAY_HTTP_INSTANCES=1 \
  GATEWAY_CLIENT_RATE_LIMIT_PER_SECOND=1000000 GATEWAY_CLIENT_RATE_LIMIT_BURST=1000000 GATEWAY_SHUTDOWN_DRAIN_SECONDS=0 \
  taskset -c 1 java -Xmx384m -XX:+UseSerialGC -jar "$JAR") > "$LOG_OUT" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' \
  -d '{"token":"c2c_7acc0e5e968706a032983cd80cdca219"}' "$URL" && break; sleep 0.2; done
count() { curl -s "http://127.0.0.1:$MGMT_PORT/metrics" | awk '/^gateway_requests_total\{endpoint="embeds",status="201"/ {print $2}'; }
taskset -c 0 wrk -t1 -c16 -d27s -s loadtest/bench/post.lua "$URL" > "$WORK/wrk.txt" &
wrk_pid=$!
sleep 8; jcmd "$pid" JFR.start name=alloc settings=profile filename="$(pwd)/$WORK/gateway.jfr" > /dev/null; n0=$(count)
sleep 15; n1=$(count); jcmd "$pid" JFR.stop name=alloc > /dev/null
wait "$wrk_pid"
echo "$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt") requests/s"
java loadtest/logbench/AllocationSplit.java "$WORK/gateway.jfr" "$(awk -v a="$n0" -v b="$n1" 'BEGIN {printf "%d", b - a}')"
