#!/usr/bin/env bash
# Measures the gateway's cached embed path against a bare Vert.x 5 server answering the same bytes, and nginx
# with proxy_cache in front of the same upstream. Each server runs pinned to CPU 1, wrk to CPU 0.
#   loadtest/bench.sh [seconds] [connections]       (defaults: 15 s, 64 connections)
#   ROUNDS=3 WARMUP=8 (defaults): the servers take turns ROUNDS times, each warmed up WARMUP s before it is measured
#   GW_PORT MGMT_PORT SIM_PORT BARE_PORT NGINX_PORT: loopback ports (18080 18090 19000 18100 18200)
# Prints every round's requests/s, p50 and p99, then each server's median round, and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN="${1:-15}"
CONNS="${2:-64}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-8}"
SERVER_CPU="${SERVER_CPU:-1}"
LOAD_CPU="${LOAD_CPU:-0}"
GW_PORT="${GW_PORT:-18080}"; MGMT_PORT="${MGMT_PORT:-18090}"; SIM_PORT="${SIM_PORT:-19000}"
BARE_PORT="${BARE_PORT:-18100}"; NGINX_PORT="${NGINX_PORT:-18200}"
WORK=loadtest/target/bench
mkdir -p "$WORK"

command -v wrk > /dev/null && command -v nginx > /dev/null || {
  echo "installing wrk and nginx-light (Debian packages)"; apt-get update -qq && apt-get install -y -qq wrk nginx-light > /dev/null; }
[[ -f target/token-gateway.jar ]] || mvn -B -q package -DskipTests
mvn -B -q -f loadtest/pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=compile
BARE_CP="loadtest/target/classes:$(cat loadtest/target/cp.txt)"

# Every JVM server gets the heap the k8s manifests give a pod (512 MiB limit x MaxRAMPercentage=75) and the
# collector the JVM picks in such a container: the machine's default heap (a quarter of its RAM) makes young
# collections rare but long, and they alone put p99 above 5 ms.
export JAVA_TOOL_OPTIONS="${SERVER_JVM_OPTS:--Xmx384m -XX:+UseSerialGC}"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_for() { for _ in $(seq 1 100); do curl -fs -o /dev/null -X "${2:-GET}" -H 'Content-Type: application/json' -d "${3:-}" "$1" && return 0; sleep 0.2; done; echo "no answer from $1"; return 1; }
TOKEN='{"token":"c2c_7acc0e5e968706a032983cd80cdca219"}'

run_wrk() { # name url -> prints "name rps p50 p99" and appends it to $WORK/name.rounds
  local out
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${WARMUP}s" -s loadtest/bench/post.lua "$2" > /dev/null   # warm-up
  out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${SECONDS_RUN}s" --latency -s loadtest/bench/post.lua "$2")
  echo "$out" > "$WORK/$1.txt"
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  printf '%-28s %12s %10s %10s\n' "$1" "$rps" "$p50" "$p99"
  echo "$rps $p50 $p99" >> "$WORK/$1.rounds"
}

median() { # name -> prints the median round's line, sets RPS_name
  local line; line=$(sort -n "$WORK/$1.rounds" | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}')
  printf '%-28s %12s %10s %10s\n' "$1" $line
  eval "RPS_$1=${line%% *}"
}
rm -f "$WORK"/*.rounds

taskset -c "$SERVER_CPU" java -jar target/token-gateway.jar simulator --port "$SIM_PORT" --instances 1 > "$WORK/simulator.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$SIM_PORT/simulator/stats"

echo "server on CPU $SERVER_CPU, wrk on CPU $LOAD_CPU, $CONNS connections, ${SECONDS_RUN}s, JVM: $JAVA_TOOL_OPTIONS"
printf '%-28s %12s %10s %10s\n' "server" "requests/s" "p50" "p99"

# 1) the gateway's cached embed path (one event loop: the same core budget as the others), with its defaults
#    and with Vert.x's own per-request HTTP meters off (management.vertxMetrics=false)
run_gateway() { # name vertxMetrics [extra VAR=value...]
  taskset -c "$SERVER_CPU" env "${@:3}" SIGNALWIRE_BASE_URL="http://127.0.0.1:$SIM_PORT" SIGNALWIRE_PROJECT_ID=sim-project \
    SIGNALWIRE_API_TOKEN=sim-api-token GATEWAY_PORT="$GW_PORT" GATEWAY_MANAGEMENT_PORT="$MGMT_PORT" \
    GATEWAY_HTTP_INSTANCES=1 GATEWAY_CLIENT_RATE_LIMIT_PER_SECOND=1000000 GATEWAY_CLIENT_RATE_LIMIT_BURST=1000000 \
    GATEWAY_MANAGEMENT_VERTX_METRICS="$2" GATEWAY_LOG_LEVEL="${GATEWAY_LOG_LEVEL:-WARN}" \
    GATEWAY_SHUTDOWN_DRAIN_SECONDS=0 java -jar target/token-gateway.jar > "$WORK/$1.log" 2>&1 &
  local pid=$!; pids+=($pid)
  wait_for "http://127.0.0.1:$GW_PORT/api/fabric/embeds/tokens" POST "$TOKEN"
  SIZE=$(curl -fs -X POST -H 'Content-Type: application/json' -d "$TOKEN" "http://127.0.0.1:$GW_PORT/api/fabric/embeds/tokens" | wc -c)
  run_wrk "$1" "http://127.0.0.1:$GW_PORT/api/fabric/embeds/tokens"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}
one_round() {
  run_gateway gateway_cached true
  run_gateway gateway_no_vertx_meters false
  # the same in cluster mode on the local Redis: a local hit must not touch Redis, so it should match the first row
  REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
  if redis-cli -u "$REDIS_URL" ping > /dev/null 2>&1; then
    run_gateway gateway_cluster true GATEWAY_REDIS_URL="$REDIS_URL" GATEWAY_REDIS_KEY_PREFIX="tg-bench-$$:" \
      GATEWAY_CLUSTER_EXPECTED_REPLICAS=1
    redis-cli -u "$REDIS_URL" --scan --pattern "tg-bench-$$:*" | xargs -r redis-cli -u "$REDIS_URL" del > /dev/null
  else
    echo "no Redis answers at $REDIS_URL: the cluster-mode row is skipped"
  fi

  # 2) the bare Vert.x 5 server answering the same number of bytes
  taskset -c "$SERVER_CPU" java -cp "$BARE_CP" io.tokengateway.bench.BareVertxServer "$BARE_PORT" 1 "$SIZE" > "$WORK/bare.log" 2>&1 &
  BARE_PID=$!; pids+=($BARE_PID)
  wait_for "http://127.0.0.1:$BARE_PORT/" POST "$TOKEN"
  run_wrk bare_vertx "http://127.0.0.1:$BARE_PORT/api/fabric/embeds/tokens"
  kill -TERM "$BARE_PID"; wait "$BARE_PID" 2>/dev/null || true

  # 3) nginx proxy_cache keyed on the body, in front of the same upstream
  NGINX_DIR="$(pwd)/$WORK/nginx"; rm -rf "$NGINX_DIR"; mkdir -p "$NGINX_DIR"
  sed -e "s#__DIR__#$NGINX_DIR#g" -e "s#__PORT__#$NGINX_PORT#g" -e "s#__UPSTREAM__#127.0.0.1:$SIM_PORT#g" \
    loadtest/bench/nginx.conf > "$NGINX_DIR/nginx.conf"
  taskset -c "$SERVER_CPU" nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" &
  NGINX_PID=$!; pids+=($NGINX_PID)
  wait_for "http://127.0.0.1:$NGINX_PORT/api/fabric/embeds/tokens" POST "$TOKEN"
  run_wrk nginx_proxy_cache "http://127.0.0.1:$NGINX_PORT/api/fabric/embeds/tokens"
  kill -TERM "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true
}
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS"
  one_round
done
echo "median of $ROUNDS rounds:"
for name in gateway_cached gateway_no_vertx_meters gateway_cluster bare_vertx nginx_proxy_cache; do
  if [[ -f "$WORK/$name.rounds" ]]; then median "$name"; else eval "RPS_$name=0"; fi
done

# 4) the miss path: the gateway's added latency over calling the simulator directly (cache off, few connections)
MISS_CONNS="${MISS_CONNS:-4}"
run_latency() { # name url -> p50 in microseconds
  taskset -c "$LOAD_CPU" wrk -t1 -c"$MISS_CONNS" -d"${WARMUP}s" -s loadtest/bench/post.lua "$2" > /dev/null
  local out; out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$MISS_CONNS" -d"${SECONDS_RUN}s" --latency -s loadtest/bench/post.lua "$2")
  echo "$out" > "$WORK/$1.txt"
  local p50 p99 rps; p50=$(echo "$out" | awk '$1=="50%" {print $2}'); p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  printf '%-28s %12s %10s %10s\n' "$1" "$rps" "$p50" "$p99"
  eval "P50_$1=$(echo "$p50" | awk '/us$/ {sub("us",""); print $1; next} /ms$/ {sub("ms",""); print $1*1000; next} {print $1*1000000}')"
}
echo "miss path, $MISS_CONNS connections:"
run_latency simulator_direct "http://127.0.0.1:$SIM_PORT/api/fabric/embeds/tokens"
taskset -c "$SERVER_CPU" env SIGNALWIRE_BASE_URL="http://127.0.0.1:$SIM_PORT" SIGNALWIRE_PROJECT_ID=sim-project \
  SIGNALWIRE_API_TOKEN=sim-api-token GATEWAY_PORT="$GW_PORT" GATEWAY_MANAGEMENT_PORT="$MGMT_PORT" \
  GATEWAY_HTTP_INSTANCES=1 GATEWAY_CLIENT_RATE_LIMIT_PER_SECOND=1000000 GATEWAY_CLIENT_RATE_LIMIT_BURST=1000000 \
  GATEWAY_UPSTREAM_RATE_LIMIT_PER_SECOND=1000000 GATEWAY_UPSTREAM_RATE_LIMIT_BURST=1000000 \
  GATEWAY_CACHE_EMBED_ENABLED=false GATEWAY_LOG_LEVEL="${GATEWAY_LOG_LEVEL:-WARN}" GATEWAY_SHUTDOWN_DRAIN_SECONDS=0 \
  java -jar target/token-gateway.jar > "$WORK/gateway_miss.log" 2>&1 &
MISS_PID=$!; pids+=($MISS_PID)
wait_for "http://127.0.0.1:$GW_PORT/api/fabric/embeds/tokens" POST "$TOKEN"
run_latency gateway_miss "http://127.0.0.1:$GW_PORT/api/fabric/embeds/tokens"
awk -v g="$P50_gateway_miss" -v d="$P50_simulator_direct" 'BEGIN {
  printf "miss path: gateway adds %.0f us at p50 over the simulator directly (target < 1000 us)\n", g - d }'

awk -v g="$RPS_gateway_cached" -v q="$RPS_gateway_no_vertx_meters" -v b="$RPS_bare_vertx" \
    -v n="$RPS_nginx_proxy_cache" -v c="$RPS_gateway_cluster" 'BEGIN {
  if (c > 0) printf "cluster mode / single-process (cached path, defaults) = %.1f%%\n", 100 * c / g;
  printf "gateway / bare Vert.x = %.1f%% (defaults), %.1f%% (management.vertxMetrics=false); target >= 85%%\n", 100 * g / b, 100 * q / b;
  printf "gateway / nginx proxy_cache = %.2fx (defaults), %.2fx (management.vertxMetrics=false)\n", g / n, q / n }'
