#!/usr/bin/env bash
# Proxy benchmark: req/s and p50/p99 at 64 connections, all in one run on this machine, for
#   1. the upstream alone (nginx serving a fixed body: faster than every proxy it is compared with)
#   2. nginx as a reverse proxy to it (1 worker, keep-alive upstream connections): the reference
#   3. the edge with routing only (events disabled)
#   4. the edge with events on (embedded Kafka and registry of the local stack)
# Prints the edge/nginx ratios and the p99 the edge adds over the direct upstream.
# Talks to 127.0.0.1 only; every wrk run is bounded by its duration.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${BENCH_DURATION:-15s}"
WARMUP="${BENCH_WARMUP:-8s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
WORK="$(mktemp -d /tmp/eventgate-bench.XXXXXX)"
UPSTREAM_PORT=18190 NGINX_PROXY_PORT=18191 EDGE_PLAIN_PORT=18192 EDGE_EVENTS_PORT=18193
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

install_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || missing+=(nginx-light)
  if ((${#missing[@]})); then
    echo "installing ${missing[*]} from Debian..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

nginx_conf() { # name, body of the http block
  mkdir -p "$WORK/$1/logs"
  cat > "$WORK/$1/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/$1/nginx.pid;
error_log $WORK/$1/logs/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  $2
}
CONF
  nginx -p "$WORK/$1" -c "$WORK/$1/nginx.conf" &
  PIDS+=($!)
}

await_port() { # port, what
  for _ in $(seq 1 300); do
    if curl -s -o /dev/null "http://127.0.0.1:$1/bench/ping"; then return 0; fi
    sleep 0.2
  done
  echo "error: $2 did not come up on port $1" >&2; exit 1
}

measure() { # name, port -> prints "name rps p50ms p99ms"
  local out
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$2/bench/ping" >/dev/null
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$2/bench/ping")"
  echo "$out" > "$WORK/$1.wrk"
  local rps p50 p99 errors
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  errors="$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')"
  echo "$1 $rps $(to_ms "$p50") $(to_ms "$p99") ${errors:-}"
}

to_ms() { # wrk latency like 812.00us, 1.20ms, 2.00s -> milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n = n * 1000
    printf "%.3f", n }'
}

install_tools
source "$ROOT/gateway" --source-only
find_jdk; require_maven
echo "building eventgate..."
(cd "$ROOT" && mvn -B -ntp -q -DskipTests -pl local-stack -am package)
CP="$ROOT/local-stack/target/classes:$(ls "$ROOT"/local-stack/target/lib/*.jar | tr '\n' ':')"
JAVA=("$JAVA_HOME/bin/java" "${JAVA_OPTS[@]}" -Xms512m -Xmx1g -Djava.util.logging.config.file="$ROOT/config/logging.properties")

nginx_conf upstream "server { listen 127.0.0.1:$UPSTREAM_PORT; location / { default_type application/json; return 200 '{\"ok\":true,\"from\":\"upstream\"}'; } }"
nginx_conf proxy "upstream u { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
  server { listen 127.0.0.1:$NGINX_PROXY_PORT; location / { proxy_pass http://u; proxy_http_version 1.1; proxy_set_header Connection \"\";
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; } }"

edge_yaml() { # port, admin port, events enabled
  cat <<YAML
nodeId: bench-$1
server: {host: 127.0.0.1, port: $1, adminPort: $2}
kafka: {bootstrapServers: "127.0.0.1:19092", schemaRegistryUrl: "http://127.0.0.1:18181"}
events: {enabled: $3, spool: {dir: "$WORK/spool-$1"}}
pools:
  upstream: {instances: [{url: "http://127.0.0.1:$UPSTREAM_PORT"}]}
routes:
  - {id: bench, match: {paths: ["/bench/**"]}, upstreams: [{pool: upstream}]}
YAML
}
edge_yaml $EDGE_PLAIN_PORT 18292 false > "$WORK/edge-plain.yaml"
"${JAVA[@]}" -cp "$CP" io.eventgate.edge.EdgeMain "$WORK/edge-plain.yaml" > "$WORK/edge-plain.log" 2>&1 &
PIDS+=($!)

cat > "$WORK/stack.yaml" <<YAML
dataDir: $WORK/stack-data
kafka: {host: 127.0.0.1, port: 19092, controllerPort: 19093, partitions: 3, topicPrefix: gateway.}
registry: {host: 127.0.0.1, port: 18181}
demoUpstream: {enabled: false, host: 127.0.0.1, port: 18194}
edge:
$(edge_yaml $EDGE_EVENTS_PORT 18293 true | sed 's/^/  /')
YAML
"${JAVA[@]}" -cp "$CP" io.eventgate.local.LocalStackMain "$WORK/stack.yaml" > "$WORK/stack.log" 2>&1 &
PIDS+=($!)

await_port $UPSTREAM_PORT "nginx upstream"
await_port $NGINX_PROXY_PORT "nginx proxy"
await_port $EDGE_PLAIN_PORT "edge (routing only)"
await_port $EDGE_EVENTS_PORT "edge (events on)"

echo "measuring: wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after a $WARMUP warm-up each)"
RESULTS=()
RESULTS+=("$(measure direct-upstream $UPSTREAM_PORT)")
RESULTS+=("$(measure nginx-proxy $NGINX_PROXY_PORT)")
RESULTS+=("$(measure edge-routing $EDGE_PLAIN_PORT)")
RESULTS+=("$(measure edge-events $EDGE_EVENTS_PORT)")

published="$(curl -s http://127.0.0.1:18293/observe/metrics | awk '/^edge_events_published_total/ {print $2}')"
printf '%s\n' "${RESULTS[@]}" | awk -v published="$published" '
  { name[NR]=$1; rps[NR]=$2; p50[NR]=$3; p99[NR]=$4; extra[NR]=""; for (i=5;i<=NF;i++) extra[NR]=extra[NR] " " $i }
  END {
    printf "\n| target | req/s | p50 ms | p99 ms | notes |\n|---|---:|---:|---:|---|\n"
    for (i=1;i<=NR;i++) printf "| %s | %.0f | %.2f | %.2f |%s |\n", name[i], rps[i], p50[i], p99[i], extra[i]
    printf "\nedge (routing only) / nginx proxy: %.2fx req/s\n", rps[3]/rps[2]
    printf "edge (events on) / nginx proxy:    %.2fx req/s\n", rps[4]/rps[2]
    printf "p99 added over the direct upstream: nginx %+.2f ms, edge routing %+.2f ms, edge events %+.2f ms\n", p99[2]-p99[1], p99[3]-p99[1], p99[4]-p99[1]
    printf "events published to Kafka by the events-on edge: %s\n", published
  }'
