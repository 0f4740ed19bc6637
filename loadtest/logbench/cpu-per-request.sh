#!/usr/bin/env bash
# CPU per request of the gateway's cached embed path with the access log in each mode, the variants taking turns:
#   loadtest/logbench/cpu-per-request.sh [rounds]       (default 3)
# The gateway (target/token-gateway.jar, or BEFORE_JAR as an extra "before" variant, e.g. a build of an older
# commit) runs on one event loop on CPU 1, wrk on CPU 0 with 16 connections: 8 s of warm-up, then 15 s measured.
# Prints requests/s, the process's user+system CPU per request (/proc/PID/stat) and the lines written (stdout
# goes to OUT_DIR, /dev/shm: memory, and deleted after each run). Ports: GW_PORT (18380), MGMT_PORT (18390).
# VARIANTS picks some, in order, of: before all sampled errors off before_off (BEFORE_JAR with WARN), all_none and
# off_none (all and off with GATEWAY_TRACING_PROPAGATION=none: no trace context).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${1:-3}"
GW_PORT="${GW_PORT:-18380}"; MGMT_PORT="${MGMT_PORT:-18390}"; OUT_DIR="${OUT_DIR:-/dev/shm}"
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk > /dev/null; }
[[ -f target/token-gateway.jar ]] || mvn -B -q package -DskipTests
JAR="$(pwd)/target/token-gateway.jar"
# the JVMs run where no conf/gateway.yaml is (an older jar would refuse this one's newer keys)
WORK="$(pwd)/loadtest/logbench/target"; mkdir -p "$WORK"
[[ -z "${BEFORE_JAR:-}" ]] || BEFORE_JAR="$(cd "$(dirname "$BEFORE_JAR")" && pwd)/$(basename "$BEFORE_JAR")"
URL="http://127.0.0.1:$GW_PORT/api/fabric/embeds/tokens"
TICK=$(getconf CLK_TCK)
VARIANTS="${VARIANTS:-${BEFORE_JAR:+before }all sampled errors off${BEFORE_JAR:+ before_off}}"
run() { # name jar VAR=value...
  local name=$1 jar=$2; shift 2
  (cd "$WORK" && exec env "$@" GATEWAY_PORT="$GW_PORT" GATEWAY_MANAGEMENT_PORT="$MGMT_PORT" GATEWAY_HTTP_INSTANCES=1 \
    GATEWAY_CLIENT_RATE_LIMIT_PER_SECOND=1000000 GATEWAY_CLIENT_RATE_LIMIT_BURST=1000000 GATEWAY_SHUTDOWN_DRAIN_SECONDS=0 \
    taskset -c 1 java -Xmx384m -XX:+UseSerialGC -jar "$jar") > "$OUT_DIR/cpu-$name.out" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d '{"token":"c2c_7acc0e5e968706a032983cd80cdca219"}' "$URL" && break; sleep 0.2; done
  kill -0 "$pid" 2> /dev/null || { echo "$name did not start:"; cat "$OUT_DIR/cpu-$name.out"; exit 1; }
  taskset -c 0 wrk -t1 -c16 -d8s -s loadtest/bench/post.lua "$URL" > /dev/null
  local lines0 cpu0 out cpu1 lines1
  lines0=$(wc -l < "$OUT_DIR/cpu-$name.out"); cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  out=$(taskset -c 0 wrk -t1 -c16 -d15s -s loadtest/bench/post.lua "$URL")
  cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat"); sleep 0.5; lines1=$(wc -l < "$OUT_DIR/cpu-$name.out")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$OUT_DIR/cpu-$name.out"
  echo "$out" | awk -v name="$name" -v cpu=$((cpu1 - cpu0)) -v tick="$TICK" -v lines=$((lines1 - lines0)) '
    /requests in/ {n = $1} /Requests\/sec/ {rps = $2}
    END {printf "%-10s %9.0f requests/s %7.2f us CPU/request   %d lines for %d requests\n", name, rps, cpu * 1e6 / tick / n, lines, n}'
}
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS"
  for v in $VARIANTS; do
    case $v in
      before) run before "$BEFORE_JAR" ;;
      before_off) run before_off "$BEFORE_JAR" GATEWAY_LOG_LEVEL=WARN ;;
      all) run all "$JAR" GATEWAY_LOG_ACCESS=all ;;
      sampled) run sampled "$JAR" GATEWAY_LOG_ACCESS=sampled ;;
      errors) run errors "$JAR" GATEWAY_LOG_ACCESS=errors ;;
      off) run off "$JAR" GATEWAY_LOG_LEVEL=WARN ;;
      all_none) run all_none "$JAR" GATEWAY_LOG_ACCESS=all GATEWAY_TRACING_PROPAGATION=none ;;
      off_none) run off_none "$JAR" GATEWAY_LOG_LEVEL=WARN GATEWAY_TRACING_PROPAGATION=none ;;
    esac
  done
done
