#!/usr/bin/env bash
# Runs one Gatling simulation against the gateway jar in front of the standalone simulator, all on loopback,
# then stops both. Gatling's HTML report is left under loadtest/target/gatling/.
#
#   loadtest/run.sh EmbedHotSimulation [-Drate=500 -Dduration=60 ...]
#   loadtest/run.sh smoke           # a few seconds at a low rate (what CI runs)
#
# Simulations: EmbedHotSimulation EmbedColdStormSimulation GuestTokenSimulation MixedPageSimulation
#              UpstreamFaultSimulation
set -euo pipefail
cd "$(dirname "$0")/.."

SIM="${1:?usage: loadtest/run.sh <Simulation>|smoke [-Dprop=value ...]}"
shift
PROPS=("$@")
if [[ "$SIM" == smoke ]]; then
  SIM=EmbedHotSimulation
  # a check that the built jar serves load without errors, not a measurement: its 101 requests start on a
  # cold JVM, so p99 is its slowest first calls (and whatever else the machine is doing); hence the loose bound
  PROPS=(-Drate=20 -Dduration=4 -Dwarmup=2 -Dp99Ms=3000 "${PROPS[@]}")
fi

GW_PORT="${GW_PORT:-18080}"
MGMT_PORT="${MGMT_PORT:-18090}"
SIM_PORT="${SIM_PORT:-19000}"
LOGS=loadtest/target/logs
mkdir -p "$LOGS"

[[ -f target/token-gateway.jar ]] || mvn -B -q package -DskipTests

# Faults for UpstreamFaultSimulation; any GATEWAY_SIMULATOR_* already set wins.
SIM_ENV=()
if [[ "$SIM" == UpstreamFaultSimulation ]]; then
  SIM_ENV=(GATEWAY_SIMULATOR_FAILURE_RATE="${GATEWAY_SIMULATOR_FAILURE_RATE:-0.2}"
           GATEWAY_SIMULATOR_TIMEOUT_RATE="${GATEWAY_SIMULATOR_TIMEOUT_RATE:-0.05}"
           GATEWAY_SIMULATOR_RATE_LIMIT_RATE="${GATEWAY_SIMULATOR_RATE_LIMIT_RATE:-0.05}"
           GATEWAY_SIMULATOR_LATENCY_MS="${GATEWAY_SIMULATOR_LATENCY_MS:-50}")
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

env "${SIM_ENV[@]}" java -jar target/token-gateway.jar simulator --port "$SIM_PORT" > "$LOGS/simulator.log" 2>&1 &
pids+=($!)

# All load comes from 127.0.0.1: lift the per-client limits; keep the upstream limiter above the offered rate.
env SIGNALWIRE_BASE_URL="http://127.0.0.1:$SIM_PORT" SIGNALWIRE_PROJECT_ID=sim-project \
    SIGNALWIRE_API_TOKEN=sim-api-token GATEWAY_PORT="$GW_PORT" GATEWAY_MANAGEMENT_PORT="$MGMT_PORT" \
    GATEWAY_CLIENT_RATE_LIMIT_PER_SECOND=1000000 GATEWAY_CLIENT_RATE_LIMIT_BURST=1000000 \
    GATEWAY_HTTP_MAX_CONNECTIONS_PER_CLIENT=1000000 \
    GATEWAY_UPSTREAM_RATE_LIMIT_PER_SECOND="${GATEWAY_UPSTREAM_RATE_LIMIT_PER_SECOND:-5000}" \
    GATEWAY_UPSTREAM_RATE_LIMIT_BURST="${GATEWAY_UPSTREAM_RATE_LIMIT_BURST:-5000}" \
    GATEWAY_UPSTREAM_TIMEOUT_MS="${GATEWAY_UPSTREAM_TIMEOUT_MS:-1000}" \
    GATEWAY_GUEST_ALLOWED_ADDRESSES=2f8e6d4c-1b3a-4c5d-9e7f-0a1b2c3d4e5f \
    GATEWAY_SHUTDOWN_DRAIN_SECONDS=0 GATEWAY_LOG_LEVEL="${GATEWAY_LOG_LEVEL:-WARN}" \
    java -jar target/token-gateway.jar > "$LOGS/gateway.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 100); do
  if curl -fs "http://127.0.0.1:$GW_PORT/health/ready" > /dev/null 2>&1 \
     && curl -fs "http://127.0.0.1:$SIM_PORT/simulator/stats" > /dev/null 2>&1; then
    break
  fi
  sleep 0.2
done
curl -fs "http://127.0.0.1:$GW_PORT/health/ready" > /dev/null || { echo "gateway did not become ready"; cat "$LOGS/gateway.log"; exit 1; }
curl -fs -X POST "http://127.0.0.1:$SIM_PORT/simulator/reset" > /dev/null

mvn -B -q -f loadtest/pom.xml gatling:test -Dgatling.simulationClass="io.tokengateway.loadtest.$SIM" \
  -DbaseUrl="http://127.0.0.1:$GW_PORT" -DsimulatorUrl="http://127.0.0.1:$SIM_PORT" "${PROPS[@]}"
echo "simulator calls: $(curl -fs "http://127.0.0.1:$SIM_PORT/simulator/stats")"
