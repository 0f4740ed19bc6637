#!/usr/bin/env bash
# The gateway's cached embed path against a bare Vert.x 5 server answering the same bytes and nginx proxy_cache
# in front of the same upstream. Every server runs pinned to SERVER_CPU with one event loop (one nginx worker);
# the load (wrk, RateClient) runs pinned to LOAD_CPU.
#
#   loadtest/bench.sh [seconds] [connections]        (defaults: 15 s measured, 64 connections)
#
# Rows, measured with wrk (closed loop, saturating): the first is the gateway as shipped, every other one changes
# exactly what its name says (a legend line per row is printed at the start):
#   gateway_defaults           the shipped defaults: INFO access log, written to a file as stdout would be; Vert.x meters on
#   gateway_base               the shipped defaults on another build, BASE_JAR (skipped when unset), with its checkout's
#                              conf/gateway.yaml (BASE_CONFIG, default BASE_JAR/../../conf/gateway.yaml): what a change
#                              cost, best read side by side (SIDE_ROWS="gateway_defaults gateway_base")
#   gateway_log_warn           GATEWAY_LOG_LEVEL=WARN (no access lines)
#   gateway_access_errors      GATEWAY_LOG_ACCESS=errors (skipped when the jar does not know the setting)
#   gateway_vertx_server_meters GATEWAY_MANAGEMENT_VERTX_HTTP_SERVER_METRICS=true (Vert.x's per-request server meters on)
#   gateway_cluster            GATEWAY_REDIS_URL=$REDIS_URL with a fresh key prefix (skipped when no Redis answers)
#   gateway_no_trace_context   GATEWAY_TRACING_PROPAGATION=none (no traceparent read, answered, logged or sent): what
#                              the default trace context costs (skipped when the jar does not know the setting)
#   gateway_tracing            GATEWAY_TRACING_OTLP_ENDPOINT=a local OTLP sink (OtlpSink), default sample ratio
#                              (skipped when the jar does not know the setting)
#   bare_vertx                 BareVertxServer: reads the body, answers the gateway's bytes and headers, nothing else
#   nginx_proxy_cache_logging  nginx proxy_cache keyed on the body (bench/nginx.conf), its default access_log on
#   nginx_proxy_cache          the same, access_log off
# Every gateway row also has what the bench needs: one event loop (GATEWAY_HTTP_INSTANCES=1, as the others), the
# per-client limit lifted (all load comes from 127.0.0.1), the simulator as SignalWire, its ports, no drain.
# The rows take turns ROUNDS times; each row's median round is reported.
# Then, for a cost smaller than what the machine's speed drifts between rounds (what trace context costs), side by
# side: gateway_defaults and gateway_no_trace_context (on SIDE_PORT) on SERVER_CPU at the same time, each loaded by
# its own wrk with half the connections, SIDE_RUNS runs of SIDE_SECONDS after 3 x WARMUP seconds of that load and one
# run not counted; the ratio of their requests/s in each run; then the same with the two swapped (the first started,
# on GW_PORT, came out ahead by 0.5 to 1% in A/A trials), the two medians combined. A drift of the machine's speed
# hits both at the same instant, and the scheduler gives both event loops the same share of the core, so the ratio
# is that of their event loops' work per request. Work on other threads (the log writer) comes out of both alike:
# it shows at half.
# The method's own error, measured here on 2026-12-02 with SIDE_ROWS="gateway_defaults gateway_defaults": 99.6 to
# 101.7% in 9 runs (alternating short runs of two gateways instead spread 84 to 109%; equal cpu.shares cgroups per
# JVM spread 97 to 110%, presumably each JVM's JIT and GC threads taking from its own half).
# Then: latency at a fixed offered rate (FIXED_RATE, default half the bare server's median requests/s) for
# gateway_defaults and bare_vertx with RateClient (open loop, each latency from its intended send time), the
# miss path's added latency (cache off, against the simulator directly), and the ratios.
#
# Settings (environment), with their defaults:
#   ROUNDS=3 WARMUP=20 (seconds of load before each measurement: a fresh gateway on one core reaches its steady
#   rate only after ~16 s of it, its JIT compiling on the same core)  SERVER_CPU=1 LOAD_CPU=0
#   GW_PORT=18080 MGMT_PORT=18090 SIM_PORT=19000 BARE_PORT=18100 NGINX_PORT=18200 OTLP_PORT=18300
#   SIDE_RUNS=9 (0: none) SIDE_SECONDS=5 SIDE_PORT=18081 SIDE_MGMT_PORT=18091
#   SIDE_ROWS="gateway_defaults gateway_no_trace_context" (the two rows side by side; any two gateway rows)
#   FIXED_RATE (requests/s)  RATE_CONNS=connections  RATE_CLIENT=netty|vertx  RATE_SPIN_US=500  MISS_CONNS=4
#   REDIS_URL=redis://127.0.0.1:6379/0  OTLP_ENDPOINT=http://127.0.0.1:$OTLP_PORT
#   SERVER_JVM_OPTS (a pod's heap and collector, below)  CLIENT_JVM_OPTS (RateClient's)
#   ROWS="gateway_defaults bare_vertx ..." (a subset, in that order)  REBUILD=1 (rebuild the gateway jar)
# Inherited GATEWAY_* and SIGNALWIRE_* variables are dropped: each row sets exactly its own.
# Each row's wrk output and the head of each server's log stay in loadtest/target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."

KNOBS="ROUNDS WARMUP SERVER_CPU LOAD_CPU GW_PORT MGMT_PORT SIM_PORT BARE_PORT NGINX_PORT OTLP_PORT SIDE_RUNS
  SIDE_SECONDS SIDE_PORT SIDE_MGMT_PORT SIDE_ROWS FIXED_RATE
  RATE_CONNS RATE_CLIENT RATE_SPIN_US MISS_CONNS REDIS_URL OTLP_ENDPOINT SERVER_JVM_OPTS CLIENT_JVM_OPTS ROWS REBUILD
  BASE_JAR BASE_CONFIG"
COMMAND="$(for v in $KNOBS; do if [[ -n "${!v+x}" ]]; then printf '%s=%q ' "$v" "${!v}"; fi; done; printf '%q ' "$0" "$@")"

SECONDS_RUN="${1:-15}"
CONNS="${2:-64}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-20}"
SERVER_CPU="${SERVER_CPU:-1}"
LOAD_CPU="${LOAD_CPU:-0}"
GW_PORT="${GW_PORT:-18080}"; MGMT_PORT="${MGMT_PORT:-18090}"; SIM_PORT="${SIM_PORT:-19000}"
BARE_PORT="${BARE_PORT:-18100}"; NGINX_PORT="${NGINX_PORT:-18200}"; OTLP_PORT="${OTLP_PORT:-18300}"
RATE_CONNS="${RATE_CONNS:-$CONNS}"
SIDE_RUNS="${SIDE_RUNS:-9}"; SIDE_SECONDS="${SIDE_SECONDS:-5}"
SIDE_PORT="${SIDE_PORT:-18081}"; SIDE_MGMT_PORT="${SIDE_MGMT_PORT:-18091}"
SIDE_ROWS="${SIDE_ROWS:-gateway_defaults gateway_no_trace_context}"
RATE_CLIENT="${RATE_CLIENT:-netty}"
RATE_SPIN_US="${RATE_SPIN_US:-500}"
MISS_CONNS="${MISS_CONNS:-4}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
OTLP_ENDPOINT="${OTLP_ENDPOINT:-http://127.0.0.1:$OTLP_PORT}"
# Every JVM server gets the heap the k8s manifests give a pod (512 MiB limit x MaxRAMPercentage=75) and the
# collector the JVM picks in such a container: the machine's default heap (a quarter of its RAM) makes young
# collections rare but long, and they alone put p99 above 5 ms.
SERVER_JVM_OPTS="${SERVER_JVM_OPTS:--Xmx384m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}"
CLIENT_JVM_OPTS="${CLIENT_JVM_OPTS:--Xms512m -Xmx512m -XX:+UseSerialGC}"
ALL_ROWS="gateway_defaults gateway_base gateway_log_warn gateway_access_errors gateway_vertx_server_meters gateway_cluster
  gateway_no_trace_context gateway_tracing bare_vertx nginx_proxy_cache_logging nginx_proxy_cache"
ROWS="$(echo ${ROWS:-$ALL_ROWS})"
JAR=target/token-gateway.jar
WORK=loadtest/target/bench
EMBED=/api/fabric/embeds/tokens
TOKEN='{"token":"c2c_7acc0e5e968706a032983cd80cdca219"}'

declare -A LEGEND=(
  [gateway_defaults]="the gateway as shipped: INFO access log to a file (stdout redirected), Vert.x client and JVM meters on, its per-request server meters off"
  [gateway_base]="the shipped defaults on BASE_JAR (an earlier build)"
  [gateway_log_warn]="GATEWAY_LOG_LEVEL=WARN: no INFO access lines"
  [gateway_access_errors]="GATEWAY_LOG_ACCESS=errors: access lines for errors only"
  [gateway_vertx_server_meters]="GATEWAY_MANAGEMENT_VERTX_HTTP_SERVER_METRICS=true: Vert.x's per-request HTTP server meters on"
  [gateway_cluster]="GATEWAY_REDIS_URL=$REDIS_URL (+ a fresh GATEWAY_REDIS_KEY_PREFIX, GATEWAY_CLUSTER_EXPECTED_REPLICAS=1): cluster mode"
  [gateway_no_trace_context]="GATEWAY_TRACING_PROPAGATION=none: no W3C trace context (nothing read, answered, logged or sent)"
  [gateway_tracing]="GATEWAY_TRACING_OTLP_ENDPOINT=$OTLP_ENDPOINT: tracing at the default sample ratio (the sink on CPU $LOAD_CPU)"
  [bare_vertx]="not the gateway: BareVertxServer, reads the body and answers the same bytes and headers"
  [nginx_proxy_cache_logging]="not the gateway: nginx proxy_cache, default access_log on (combined, to a file)"
  [nginx_proxy_cache]="not the gateway: nginx proxy_cache, access_log off"
)
# The extra variables of each gateway row, on top of GATEWAY_BASE_ENV.
declare -A ROW_ENV=(
  [gateway_defaults]=""
  [gateway_base]=""
  [gateway_log_warn]="GATEWAY_LOG_LEVEL=WARN"
  [gateway_access_errors]="GATEWAY_LOG_ACCESS=errors"
  [gateway_vertx_server_meters]="GATEWAY_MANAGEMENT_VERTX_HTTP_SERVER_METRICS=true"
  [gateway_cluster]="GATEWAY_REDIS_URL=$REDIS_URL GATEWAY_REDIS_KEY_PREFIX=tg-bench-$$: GATEWAY_CLUSTER_EXPECTED_REPLICAS=1"
  [gateway_no_trace_context]="GATEWAY_TRACING_PROPAGATION=none"
  [gateway_tracing]="GATEWAY_TRACING_OTLP_ENDPOINT=$OTLP_ENDPOINT"
)
# Rows for settings that other branches bring: skipped, not failed, when the jar refuses or ignores them.
OPTIONAL_ROWS=" gateway_access_errors gateway_no_trace_context gateway_tracing "
GATEWAY_BASE_ENV=(SIGNALWIRE_BASE_URL="http://127.0.0.1:$SIM_PORT" SIGNALWIRE_PROJECT_ID=sim-project
  SIGNALWIRE_API_TOKEN=sim-api-token
  GATEWAY_HTTP_INSTANCES=1 GATEWAY_CLIENT_RATE_LIMIT_PER_SECOND=1000000 GATEWAY_CLIENT_RATE_LIMIT_BURST=1000000
  GATEWAY_HTTP_MAX_CONNECTIONS_PER_CLIENT=1000000 GATEWAY_SHUTDOWN_DRAIN_SECONDS=0)
declare -A SKIPPED=() RPS=() P50=() P99=() FIXED=() SIDE=()

die() { echo "bench.sh: $*" >&2; exit 1; }
has_row() { [[ " $ROWS " == *" $1 "* ]]; }

# --- processes: every one started here is stopped on exit, however the script ends -----------------------------
declare -A RUNNING=()
start_bg() { # name log command... -> STARTED_PID; stdout and stderr go to log
  local name=$1 log=$2; shift 2
  "$@" > "$log" 2>&1 &
  STARTED_PID=$!
  RUNNING[$STARTED_PID]=$name
}
alive() { [[ -r /proc/$1/stat ]] && [[ "$(sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | cut -d' ' -f1)" =~ ^[^Z] ]]; }
stop_pid() { # pid: SIGTERM, then SIGKILL after 10 s
  local pid=$1
  [[ -n "${RUNNING[$pid]:-}" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.2; done
  if alive "$pid"; then echo "bench.sh: ${RUNNING[$pid]} ($pid) ignored SIGTERM: killed" >&2; kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  unset "RUNNING[$pid]"
}
cleanup() { for pid in "${!RUNNING[@]}"; do stop_pid "$pid"; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM
wait_ready() { # pid url [method body]: 0 once url answers 2xx; 1 when pid died or after 30 s
  local pid=$1 url=$2 method=${3:-GET} body=${4:-}
  for _ in $(seq 1 150); do
    alive "$pid" || return 1
    curl -fs --max-time 2 -o /dev/null -X "$method" -H 'Content-Type: application/json' ${body:+-d "$body"} "$url" \
      && return 0
    sleep 0.2
  done
  return 1
}
port_busy() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

# --- measuring ---------------------------------------------------------------------------------------------------
to_ms() { # a wrk duration (512.00us, 1.20ms, 2.00s, 1.00m) in ms
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v } else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else { sub(/s$/, "", v); printf "%.3f", v * 1000 } }'
}
ROW_FORMAT='%-26s %12s %9s %9s %7s %8s\n'
run_wrk() { # name url [connections] -> prints the round's line, appends "rps p50 p99 errors" to name.rounds; sets REQUESTS
  local name=$1 url=$2 conns=${3:-$CONNS} warm="" out rps p50 p99 errors
  if [[ "$WARMUP" -gt 0 ]]; then
    warm=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${WARMUP}s" -s loadtest/bench/post.lua "$url")
  fi
  out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${SECONDS_RUN}s" --latency -s loadtest/bench/post.lua "$url")
  echo "$out" > "$WORK/$name.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<< "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<< "$out")")
  errors=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<< "$out")
  REQUESTS=$(awk '/requests in/ {n += $1} END {print n + 0}' <<< "$warm
$out")
  echo "$rps $p50 $p99 $errors" >> "$WORK/$name.rounds"
  LAST_LINE="$rps $p50 $p99 $errors"
}
print_row() { # name "rps p50 p99 errors" [log lines per request]
  local f; read -r -a f <<< "$2"
  printf "$ROW_FORMAT" "$1" "${f[0]}" "${f[1]}" "${f[2]}" "${f[3]}" "${3:--}"
}
log_share() { # name file -> lines of file naming the embed path per request sent, appended to name.loglines;
  # the file is then cut to its first 200 lines (an INFO access log of a row runs to hundreds of MB)
  local lines; lines=$(grep -c -F "$EMBED" "$2" 2> /dev/null || true)
  LOG_SHARE=$(awk -v l="${lines:-0}" -v r="$REQUESTS" 'BEGIN {printf "%.2f", (r > 0 ? l / r : 0)}')
  echo "$LOG_SHARE" >> "$WORK/$1.loglines"
  trim_log "$2"
}
trim_log() { # file: keeps its first 200 lines
  if [[ -f "$1" ]]; then local head; head=$(head -n 200 "$1"); printf '%s\n' "$head" > "$1"; fi
}

# --- the servers -------------------------------------------------------------------------------------------------
start_gateway() { # name [VAR=value...] -> GATEWAY_PID; returns 1 with REFUSAL when it did not start or ignored one
  # (on START_PORT and START_MGMT_PORT when set, else GW_PORT and MGMT_PORT)
  local name=$1 v port=${START_PORT:-$GW_PORT} mgmt=${START_MGMT_PORT:-$MGMT_PORT} jar=$JAR; shift
  local log="$WORK/$name.log"
  local config=() # an earlier build reads its own checkout's conf/gateway.yaml, not this one's newer keys
  if [[ $name == *gateway_base ]]; then jar=$BASE_JAR; config=(GATEWAY_CONFIG="$BASE_CONFIG"); fi
  start_bg "$name" "$log" taskset -c "$SERVER_CPU" env JAVA_TOOL_OPTIONS="$SERVER_JVM_OPTS" "${GATEWAY_BASE_ENV[@]}" \
    "${config[@]}" GATEWAY_PORT="$port" GATEWAY_MANAGEMENT_PORT="$mgmt" "$@" java -jar "$jar"
  GATEWAY_PID=$STARTED_PID
  if ! wait_ready "$GATEWAY_PID" "http://127.0.0.1:$port$EMBED" POST "$TOKEN"; then
    REFUSAL="it did not start: $(grep -v '^Picked up' "$log" | head -n 3 | tr '\n' ' ')"
    stop_pid "$GATEWAY_PID"
    return 1
  fi
  local checked=("${GATEWAY_BASE_ENV[@]}" "$@")
  if [[ $jar != "$JAR" ]]; then checked=("$@"); fi # an earlier build may not know every base variable yet
  for v in "${checked[@]}"; do
    if grep -q -i -E "unknown.*${v%%=*}|${v%%=*}.*unknown" "$log"; then
      REFUSAL="it ignored ${v%%=*} as unknown"
      stop_pid "$GATEWAY_PID"
      return 1
    fi
  done
  SIZE=$(curl -fs -X POST -H 'Content-Type: application/json' -d "$TOKEN" "http://127.0.0.1:$port$EMBED" | wc -c)
}
start_required_gateway() { # name [VAR=value...]
  local name=$1
  start_gateway "$@" || { tail -n 20 "$WORK/$name.log" >&2; die "$name: the gateway failed ($REFUSAL); log: $WORK/$name.log"; }
}
measure_gateway() { # name
  local name=$1 extra=() exports_before=0
  read -r -a extra <<< "${ROW_ENV[$name]}"
  if ! start_gateway "$name" "${extra[@]}"; then
    if [[ "$OPTIONAL_ROWS" == *" $name "* ]]; then
      SKIPPED[$name]="the gateway refused ${ROW_ENV[$name]} ($REFUSAL)"
      echo "$name: skipped: ${SKIPPED[$name]}"
      return 0
    fi
    tail -n 20 "$WORK/$name.log" >&2
    die "$name: the gateway failed ($REFUSAL); log: $WORK/$name.log"
  fi
  if [[ $name == gateway_tracing ]]; then exports_before=$(otlp_exports); fi
  run_wrk "$name" "http://127.0.0.1:$GW_PORT$EMBED"
  stop_pid "$GATEWAY_PID"
  log_share "$name" "$WORK/$name.log"
  print_row "$name" "$LAST_LINE" "$LOG_SHARE"
  if [[ $name == gateway_tracing && -n "${OTLP_SINK:-}" ]]; then
    local exports=$(( $(otlp_exports) - exports_before ))
    if [[ $exports -gt 0 ]]; then
      echo "  (the OTLP sink received $exports exports during the row)"
    else
      echo "  *** the OTLP sink received NO export during the row: was anything traced? ***"
    fi
  fi
  if [[ $name == gateway_cluster ]]; then
    redis-cli -u "$REDIS_URL" --scan --pattern "tg-bench-$$:*" | xargs -r redis-cli -u "$REDIS_URL" del > /dev/null
  fi
}
start_bare() {
  start_bg bare_vertx "$WORK/bare_vertx.log" taskset -c "$SERVER_CPU" env JAVA_TOOL_OPTIONS="$SERVER_JVM_OPTS" \
    java -cp "$LOAD_CP" io.tokengateway.bench.BareVertxServer "$BARE_PORT" 1 "$SIZE"
  BARE_PID=$STARTED_PID
  wait_ready "$BARE_PID" "http://127.0.0.1:$BARE_PORT$EMBED" POST "$TOKEN" \
    || { cat "$WORK/bare_vertx.log" >&2; die "the bare Vert.x server did not start; log: $WORK/bare_vertx.log"; }
}
measure_bare() {
  start_bare
  run_wrk bare_vertx "http://127.0.0.1:$BARE_PORT$EMBED"
  stop_pid "$BARE_PID"
  print_row bare_vertx "$LAST_LINE"
}
measure_nginx() { # name: nginx_proxy_cache_logging (access_log on, combined, to a file) or nginx_proxy_cache (off)
  local name=$1 dir access=off
  dir="$(pwd)/$WORK/nginx"
  rm -rf "$dir"; mkdir -p "$dir"
  if [[ $name == nginx_proxy_cache_logging ]]; then access="$dir/access.log combined"; fi
  sed -e "s#__ACCESS_LOG__#$access#g" -e "s#__DIR__#$dir#g" -e "s#__PORT__#$NGINX_PORT#g" \
    -e "s#__UPSTREAM__#127.0.0.1:$SIM_PORT#g" loadtest/bench/nginx.conf > "$dir/nginx.conf"
  start_bg "$name" "$WORK/$name.log" taskset -c "$SERVER_CPU" nginx -p "$dir" -c "$dir/nginx.conf"
  local pid=$STARTED_PID
  wait_ready "$pid" "http://127.0.0.1:$NGINX_PORT$EMBED" POST "$TOKEN" \
    || { cat "$WORK/$name.log" "$dir/error.log" >&2 || true; die "$name: nginx did not start"; }
  run_wrk "$name" "http://127.0.0.1:$NGINX_PORT$EMBED"
  stop_pid "$pid"
  if [[ $name == nginx_proxy_cache_logging ]]; then
    log_share "$name" "$dir/access.log"
    print_row "$name" "$LAST_LINE" "$LOG_SHARE"
  else
    print_row "$name" "$LAST_LINE"
  fi
}
measure_row() { # name
  local name=$1
  if [[ -n "${SKIPPED[$name]:-}" ]]; then return 0; fi
  case $name in
    gateway_*) measure_gateway "$name" ;;
    bare_vertx) measure_bare ;;
    nginx_*) measure_nginx "$name" ;;
  esac
}
median_row() { # name -> prints the median round (by requests/s), sets RPS P50 P99
  local line; line=$(sort -n "$WORK/$1.rounds" | awk '{a[NR] = $0} END {print a[int((NR + 1) / 2)]}')
  local share="-"
  if [[ -f "$WORK/$1.loglines" ]]; then share=$(sort -n "$WORK/$1.loglines" | awk '{a[NR] = $0} END {print a[int((NR + 1) / 2)]}'); fi
  print_row "$1" "$line" "$share"
  read -r RPS[$1] P50[$1] P99[$1] _ <<< "$line"
}
otlp_exports() { curl -fs --max-time 2 "http://127.0.0.1:$OTLP_PORT/stats" 2> /dev/null | sed -n 's/.*"exports":\([0-9]*\).*/\1/p' || echo 0; }

# --- side by side ------------------------------------------------------------------------------------------------
side_wrk() { # port seconds connections out
  taskset -c "$LOAD_CPU" wrk -t1 -c"$3" -d"$2s" -s loadtest/bench/post.lua "http://127.0.0.1:$1$EMBED" > "$4"
}
side_by_side() { # a b: a session in each order (a on GW_PORT, then b there) -> SIDE[a / b]
  local a=$1 b=$2 first second
  if [[ "$SIDE_RUNS" -le 0 ]] || ! has_row "$a" || ! has_row "$b" || [[ -n "${SKIPPED[$a]:-}${SKIPPED[$b]:-}" ]]; then
    return 0
  fi
  side_session "$a" "$b"; first=$SESSION_MEDIAN
  side_session "$b" "$a"; second=$SESSION_MEDIAN
  SIDE["$a / $b"]=$(awk -v f="$first" -v s="$second" 'BEGIN {printf "%.1f%% (%.1f%% with %s first, %.1f%% with %s first)",
    100 * sqrt(f / s), 100 * f, "'"$a"'", 100 / s, "'"$b"'"}')
  echo "  $a / $b requests/s, both orders (the geometric mean, which cancels whatever favours the first): ${SIDE["$a / $b"]}"
}
side_session() { # a b: both gateways on SERVER_CPU at once, each with its own wrk -> SESSION_MEDIAN (a / b)
  local a=$1 b=$2 extra_a=() extra_b=() pid_a pid_b wrk_pid i half=$(( CONNS / 2 ))
  read -r -a extra_a <<< "${ROW_ENV[$a]}"
  read -r -a extra_b <<< "${ROW_ENV[$b]}"
  start_required_gateway "side1_$a" "${extra_a[@]}"
  pid_a=$GATEWAY_PID
  START_PORT=$SIDE_PORT START_MGMT_PORT=$SIDE_MGMT_PORT start_required_gateway "side2_$b" "${extra_b[@]}"
  pid_b=$GATEWAY_PID
  echo
  echo "side by side: $a (port $GW_PORT) and $b (port $SIDE_PORT) at once on CPU $SERVER_CPU, a wrk of $half"\
    "connections each; $(( 3 * WARMUP ))s of warm-up and one run not counted, then $SIDE_RUNS runs of ${SIDE_SECONDS}s"
  side_wrk "$GW_PORT" $(( 3 * WARMUP )) "$half" /dev/null &
  wrk_pid=$!
  side_wrk "$SIDE_PORT" $(( 3 * WARMUP )) "$half" /dev/null
  wait "$wrk_pid"
  : > "$WORK/side.runs"
  for i in $(seq 0 "$SIDE_RUNS"); do # run 0 settles: right after the warm-up the first run was slow in every trial here
    side_wrk "$GW_PORT" "$SIDE_SECONDS" "$half" "$WORK/side_a.txt" &
    wrk_pid=$!
    side_wrk "$SIDE_PORT" "$SIDE_SECONDS" "$half" "$WORK/side_b.txt"
    wait "$wrk_pid"
    [[ $i -gt 0 ]] || continue
    awk '/Requests\/sec/ {r[FILENAME] = $2} /Non-2xx/ {e += $NF} /Socket errors/ {gsub(",", ""); e += $4 + $6 + $8 + $10}
      END {printf "%.4f %s %s %d\n", r[ARGV[1]] / r[ARGV[2]], r[ARGV[1]], r[ARGV[2]], e + 0}' \
      "$WORK/side_a.txt" "$WORK/side_b.txt" >> "$WORK/side.runs"
  done
  stop_pid "$pid_a"; stop_pid "$pid_b"
  trim_log "$WORK/side1_$a.log"; trim_log "$WORK/side2_$b.log"
  cp "$WORK/side.runs" "$WORK/side_$a.runs"
  local summary
  summary=$(sort -n "$WORK/side.runs" | awk '{r[NR] = $1; e += $4}
    END {printf "%s median %.1f%% (%.1f%% to %.1f%% in %d runs, %d errors)", r[int((NR + 1) / 2)],
      100 * r[int((NR + 1) / 2)], 100 * r[1], 100 * r[NR], NR, e}')
  SESSION_MEDIAN=${summary%% *}
  echo "  $a / $b requests/s: ${summary#* }"
  echo "  each run (ratio, $a requests/s, $b requests/s, errors): $(awk '{printf "%s%.3f %s %s %s", (NR > 1 ? "; " : ""),
    $1, $2, $3, $4}' "$WORK/side.runs")"
}

# --- fixed offered rate ------------------------------------------------------------------------------------------
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<< "$1"; }
run_rate() { # name url rate -> appends RateClient's RESULT line to fixed_name.rounds and prints its summary
  local name=$1 out rc=0 opts=()
  read -r -a opts <<< "$CLIENT_JVM_OPTS"
  out=$(taskset -c "$LOAD_CPU" java "${opts[@]}" -cp "$LOAD_CP" io.tokengateway.bench.RateClient --url="$2" --rate="$3" \
      --connections="$RATE_CONNS" --warmup="$WARMUP" --duration="$SECONDS_RUN" --spin-us="$RATE_SPIN_US" \
      --client="$RATE_CLIENT" 2> "$WORK/fixed_$name.err") || rc=$?
  [[ $rc == 0 || $rc == 3 ]] || die "RateClient failed (exit $rc) against $name: $(cat "$WORK/fixed_$name.err")"
  echo "$out" >> "$WORK/fixed_$name.rounds"
  print_fixed "$name" "$out"
  grep -v '^Picked up' "$WORK/fixed_$name.err" | sed 's/^/    /' || true
}
FIXED_FORMAT='%-26s %10s %9s %9s %9s %7s %9s %6s  %s\n'
print_fixed() { # name RESULT-line
  printf "$FIXED_FORMAT" "$1" "$(field "$2" sent_rps)" "$(field "$2" p50_ms)" "$(field "$2" p99_ms)" "$(field "$2" max_ms)" \
    "$(( $(field "$2" errors) + $(field "$2" timeouts) + $(field "$2" unfinished) ))" "$(field "$2" timer_lag_p99_ms)" \
    "$(field "$2" loop_cpu_pct | cut -d. -f1)%" "$(field "$2" status)"
}
fixed_rate() {
  local rate=${FIXED_RATE:-} round
  if [[ -z $rate ]]; then
    [[ -n "${RPS[bare_vertx]:-}" ]] || { echo "fixed rate: skipped (no bare_vertx row to halve and no FIXED_RATE)"; return 0; }
    rate=$(awk -v r="${RPS[bare_vertx]}" 'BEGIN {printf "%d", r / 2}')
  fi
  FIXED_RATE_USED=$rate
  echo
  echo "fixed offered rate: $rate requests/s ($([[ -n ${FIXED_RATE:-} ]] && echo FIXED_RATE || echo "half the bare server's median")),"\
    "$RATE_CONNS connections, RateClient --client=$RATE_CLIENT; latency from each request's intended send time"
  rm -f "$WORK"/fixed_*.rounds
  echo "errors: non-2xx, failed, timed out or unanswered; lag_ms: how late RateClient sent at p99 (its own lateness);"\
    "cpu: its event loop's share of its core (near 100% when it polls)"
  printf "$FIXED_FORMAT" row sent/s p50_ms p99_ms max_ms errors lag_ms cpu status
  for round in $(seq 1 "$ROUNDS"); do
    start_required_gateway fixed_gateway_defaults
    run_rate gateway_defaults "http://127.0.0.1:$GW_PORT$EMBED" "$rate"
    stop_pid "$GATEWAY_PID"
    trim_log "$WORK/fixed_gateway_defaults.log"
    start_bare
    run_rate bare_vertx "http://127.0.0.1:$BARE_PORT$EMBED" "$rate"
    stop_pid "$BARE_PID"
  done
  echo "median of $ROUNDS rounds (by p99):"
  local name line
  for name in gateway_defaults bare_vertx; do
    line=$(while read -r l; do echo "$(field "$l" p99_ms) $l"; done < "$WORK/fixed_$name.rounds" | sort -n \
      | awk '{a[NR] = $0} END {print a[int((NR + 1) / 2)]}' | cut -d' ' -f2-)
    FIXED[$name]=$line
    print_fixed "$name" "$line"
  done
  if grep -q 'status=INVALID' "$WORK"/fixed_*.rounds; then
    echo "*** at least one fixed-rate round is INVALID: RateClient did not send $rate requests/s (see above) ***"
  fi
}

# --- the miss path -----------------------------------------------------------------------------------------------
run_latency() { # name url -> prints the line, sets MISS_P50_name (microseconds)
  run_wrk "$1" "$2" "$MISS_CONNS"
  print_row "$1" "$LAST_LINE"
  local p50; read -r _ p50 _ <<< "$LAST_LINE"
  eval "MISS_P50_$1=$(awk -v v="$p50" 'BEGIN {printf "%.0f", v * 1000}')"
}
miss_path() {
  echo
  echo "miss path, $MISS_CONNS connections: the simulator directly, then gateway_defaults with"\
    "GATEWAY_CACHE_EMBED_ENABLED=false and the upstream limiter lifted (every request calls the simulator)"
  rm -f "$WORK"/simulator_direct.rounds "$WORK"/gateway_miss.rounds
  run_latency simulator_direct "http://127.0.0.1:$SIM_PORT$EMBED"
  start_required_gateway gateway_miss GATEWAY_CACHE_EMBED_ENABLED=false GATEWAY_UPSTREAM_RATE_LIMIT_PER_SECOND=1000000 \
    GATEWAY_UPSTREAM_RATE_LIMIT_BURST=1000000
  run_latency gateway_miss "http://127.0.0.1:$GW_PORT$EMBED"
  stop_pid "$GATEWAY_PID"
  trim_log "$WORK/gateway_miss.log"
}

# --- the ratios --------------------------------------------------------------------------------------------------
ratios() {
  echo
  echo "ratios (requests/s of the median rounds):"
  local row
  ratio() { # label numerator-row denominator-row format(pct|x)
    if [[ -n "${RPS[$2]:-}" && -n "${RPS[$3]:-}" ]]; then
      awk -v a="${RPS[$2]}" -v b="${RPS[$3]}" -v l="$1" -v f="$4" \
        'BEGIN {if (f == "x") printf "  %-62s %.2fx\n", l, a / b; else printf "  %-62s %.1f%%\n", l, 100 * a / b}'
    elif [[ -n "${SKIPPED[$2]:-}" ]]; then
      printf '  %-62s skipped: %s\n' "$1" "${SKIPPED[$2]}"
    fi
    return 0
  }
  for row in $ROWS; do
    if [[ $row == gateway_* ]]; then ratio "$row / bare_vertx" "$row" bare_vertx pct; fi
  done
  echo "  (target: gateway / bare Vert.x >= 85%)"
  ratio "gateway_defaults / nginx_proxy_cache_logging" gateway_defaults nginx_proxy_cache_logging x
  ratio "gateway_defaults / nginx_proxy_cache" gateway_defaults nginx_proxy_cache x
  ratio "gateway_cluster / gateway_defaults (cluster / single-process)" gateway_cluster gateway_defaults pct
  ratio "gateway_defaults / gateway_no_trace_context (rows: see side by side)" gateway_defaults \
    gateway_no_trace_context pct
  local side
  for side in "${!SIDE[@]}"; do printf '  %-62s %s\n' "$side, side by side (target >= 98%)" "${SIDE[$side]}"; done
  ratio "gateway_tracing / gateway_defaults" gateway_tracing gateway_defaults pct
  if [[ -n "${FIXED[gateway_defaults]:-}" ]]; then
    local g=${FIXED[gateway_defaults]} b=${FIXED[bare_vertx]}
    printf '  at %s requests/s offered: gateway_defaults p50 %s ms, p99 %s ms, max %s ms (%s);'\
' bare_vertx p50 %s ms, p99 %s ms, max %s ms (%s)\n' "$FIXED_RATE_USED" "$(field "$g" p50_ms)" "$(field "$g" p99_ms)" \
      "$(field "$g" max_ms)" "$(field "$g" status)" "$(field "$b" p50_ms)" "$(field "$b" p99_ms)" "$(field "$b" max_ms)" \
      "$(field "$b" status)"
  fi
  if [[ -n "${MISS_P50_gateway_miss:-}" ]]; then
    echo "  miss path: the gateway adds $(( MISS_P50_gateway_miss - MISS_P50_simulator_direct )) us at p50 over the simulator directly (target < 1000 us)"
  fi
}

# --- preparation -------------------------------------------------------------------------------------------------
for row in $ROWS; do [[ " $(echo $ALL_ROWS) " == *" $row "* ]] || die "unknown row $row in ROWS (rows: $(echo $ALL_ROWS))"; done
INHERITED=$(compgen -e | grep -E '^(GATEWAY_|SIGNALWIRE_)|^JAVA_TOOL_OPTIONS$' | tr '\n' ' ' || true)
for v in $INHERITED; do unset "$v"; done
for p in "$GW_PORT" "$MGMT_PORT" "$SIM_PORT" "$BARE_PORT" "$NGINX_PORT" "$OTLP_PORT" "$SIDE_PORT" "$SIDE_MGMT_PORT"; do
  if port_busy "$p"; then die "port $p is in use (another bench.sh?): set GW_PORT MGMT_PORT SIM_PORT BARE_PORT NGINX_PORT OTLP_PORT SIDE_PORT SIDE_MGMT_PORT"; fi
done
mkdir -p "$WORK"
rm -f "$WORK"/*.rounds "$WORK"/*.loglines "$WORK"/*.txt "$WORK"/*.log "$WORK"/*.err "$WORK"/*.runs "$WORK"/*.pairs
command -v wrk > /dev/null && command -v nginx > /dev/null || {
  echo "installing wrk and nginx-light (Debian packages)"; apt-get update -qq && apt-get install -y -qq wrk nginx-light > /dev/null; }
if [[ -n "${REBUILD:-}" || ! -f $JAR || -n "$(find src/main pom.xml -newer "$JAR" -print -quit)" ]]; then
  echo "building $JAR (missing, older than src/main, or REBUILD set)"
  mvn -B -q package -DskipTests
fi
mvn -B -q -f loadtest/pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DincludeScope=runtime
LOAD_CP="loadtest/target/classes:$(cat loadtest/target/cp.txt)"

echo "command:  $COMMAND"
echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine:  $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) CPUs, $(uname -sr),"\
  "load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
echo "java:     $(java -version 2>&1 | grep -v '^Picked up' | sed -n '1p;3p' | paste -sd ';' -)"
echo "servers:  pinned to CPU $SERVER_CPU; JVM options (JAVA_TOOL_OPTIONS) $SERVER_JVM_OPTS"
echo "load:     pinned to CPU $LOAD_CPU; $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2 || true) -t1 -c$CONNS;"\
  "RateClient JVM options $CLIENT_JVM_OPTS"
echo "nginx:    $(nginx -v 2>&1 | sed 's/^nginx version: //'), worker_processes 1"
echo "gateway:  $JAR of $(date -u -r "$JAR" '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD)"\
  "$(git diff --quiet HEAD -- src pom.xml 2> /dev/null || echo '(with uncommitted changes)')"
echo "runs:     $ROUNDS rounds; each row warmed up ${WARMUP}s, then measured ${SECONDS_RUN}s; side by side $SIDE_RUNS runs of ${SIDE_SECONDS}s"
if [[ -n "$INHERITED" ]]; then echo "dropped:  inherited $INHERITED(each row sets exactly its own)"; fi
echo "rows (each against gateway_defaults):"
for row in $ROWS; do printf '  %-26s %s\n' "$row" "${LEGEND[$row]}"; done
if [[ " $ROWS" == *" gateway_"* ]]; then echo "  every gateway row also: ${GATEWAY_BASE_ENV[*]}"; fi

start_bg simulator "$WORK/simulator.log" taskset -c "$SERVER_CPU" env JAVA_TOOL_OPTIONS="$SERVER_JVM_OPTS" \
  java -jar "$JAR" simulator --port "$SIM_PORT" --instances 1
wait_ready "$STARTED_PID" "http://127.0.0.1:$SIM_PORT/simulator/stats" || { cat "$WORK/simulator.log" >&2; die "the simulator did not start"; }
SIZE=$(curl -fs -X POST -H 'Content-Type: application/json' -d "$TOKEN" "http://127.0.0.1:$SIM_PORT$EMBED" | wc -c)
BASE_CONFIG="${BASE_CONFIG:-$(dirname "${BASE_JAR:-.}")/../conf/gateway.yaml}"
if has_row gateway_base && [[ ! -f "${BASE_JAR:-}" ]]; then
  SKIPPED[gateway_base]="BASE_JAR names no jar"
  echo "gateway_base: skipped: ${SKIPPED[gateway_base]}"
fi
if has_row gateway_cluster && ! redis-cli -u "$REDIS_URL" ping > /dev/null 2>&1; then
  SKIPPED[gateway_cluster]="no Redis answers at $REDIS_URL"
  echo "gateway_cluster: skipped: ${SKIPPED[gateway_cluster]}"
fi
if has_row gateway_tracing && [[ $OTLP_ENDPOINT == "http://127.0.0.1:$OTLP_PORT" ]]; then
  start_bg otlp_sink "$WORK/otlp_sink.log" taskset -c "$LOAD_CPU" env JAVA_TOOL_OPTIONS="-Xmx128m -XX:+UseSerialGC" \
    java -cp "$LOAD_CP" io.tokengateway.bench.OtlpSink "$OTLP_PORT"
  wait_ready "$STARTED_PID" "http://127.0.0.1:$OTLP_PORT/stats" || { cat "$WORK/otlp_sink.log" >&2; die "the OTLP sink did not start"; }
  OTLP_SINK=1
fi

# --- the run -----------------------------------------------------------------------------------------------------
echo
echo "log/req: lines naming the embed path in the server's log (a file) per request served; errors: non-2xx + socket errors"
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS"
  printf "$ROW_FORMAT" row requests/s p50_ms p99_ms errors log/req
  for row in $ROWS; do measure_row "$row"; done
done
echo "median of $ROUNDS rounds:"
printf "$ROW_FORMAT" row requests/s p50_ms p99_ms errors log/req
for row in $ROWS; do
  if [[ -f "$WORK/$row.rounds" ]]; then median_row "$row"; else printf '%-26s skipped: %s\n' "$row" "${SKIPPED[$row]:-}"; fi
done
side_by_side $SIDE_ROWS
fixed_rate
miss_path
ratios
