#!/usr/bin/env bash
# Proxy benchmark: req/s and p50/p99 at 64 connections, all in one run on this machine, for
#   1. the upstream alone (nginx serving a fixed body: faster than every proxy it is compared with)
#   2. nginx as a reverse proxy to it (1 worker, keep-alive upstream connections): the reference
#   3. the edge with routing only (events disabled)
#   4. the edge with events on (embedded Kafka and registry of the local stack)
#   5. the full chain on that edge: API key authentication, the consumer's plan rate limit, events
# Prints the edge/nginx ratios, the p99 the edge adds over the direct upstream, and the CPU time each proxy
# spends per request (from /proc, so it holds even when other work on the machine moves the req/s).
# Talks to 127.0.0.1 only; every wrk run is bounded by its duration.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${BENCH_DURATION:-15s}"
# the JVM's JIT compilers keep a core busy for about 20 s of load before the edge's code settles; a shorter warm-up
# measures the compilers more than the edge
WARMUP="${BENCH_WARMUP:-30s}"
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
  eval "PID_${1^^}=$!"
}

await_port() { # port, what
  for _ in $(seq 1 300); do
    if curl -s -o /dev/null "http://127.0.0.1:$1/bench/ping"; then return 0; fi
    sleep 0.2
  done
  echo "error: $2 did not come up on port $1" >&2; exit 1
}

cpu_ticks() { # pids... -> user+system clock ticks they have used, children included
  local total=0 pid
  for pid in "$@"; do
    for p in "$pid" $(pgrep -P "$pid" || true); do
      total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
  done
  echo "$total"
}

measure() { # name, port, path, pids of the proxy -> prints "name rps p50ms p99ms cpu_us_per_request"
  local out name="$1" port="$2" path="$3"; shift 3
  local header=(-H "X-Bench: 1")
  [[ "$name" == edge-full-chain ]] && header=(-H "X-API-Key: $BENCH_KEY")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${header[@]}" "http://127.0.0.1:$port$path" >/dev/null
  local before after
  before="$(cpu_ticks "$@")"
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${header[@]}" "http://127.0.0.1:$port$path")"
  after="$(cpu_ticks "$@")"
  echo "$out" > "$WORK/$name.wrk"
  local rps p50 p99 errors requests cpu
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  requests="$(awk '/requests in/ {print $1}' <<<"$out")"
  cpu="$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
  errors="$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')"
  echo "$name $rps $(to_ms "$p50") $(to_ms "$p99") $cpu ${errors:-}"
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
plans:
  bench: {ratePerSecond: 1000000, burst: 1000000}   # enforced on every request, never reached
consumers:
  bench: {plan: bench, apiKeys: ["sha256:$(printf %s "$BENCH_KEY" | sha256sum | cut -d' ' -f1)"]}
routes:
  - {id: bench, match: {paths: ["/bench/**"]}, upstreams: [{pool: upstream}]}
  - {id: chain, match: {paths: ["/chain/**"]}, anonymous: false, upstreams: [{pool: upstream}]}
YAML
}
BENCH_KEY="bench-key-$RANDOM$RANDOM"
edge_yaml $EDGE_PLAIN_PORT 18292 false > "$WORK/edge-plain.yaml"
"${JAVA[@]}" -cp "$CP" io.eventgate.edge.EdgeMain "$WORK/edge-plain.yaml" > "$WORK/edge-plain.log" 2>&1 &
PIDS+=($!)
PID_EDGE_PLAIN=$!

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
PID_STACK=$!

await_port $UPSTREAM_PORT "nginx upstream"
await_port $NGINX_PROXY_PORT "nginx proxy"
await_port $EDGE_PLAIN_PORT "edge (routing only)"
await_port $EDGE_EVENTS_PORT "edge (events on)"

echo "measuring: wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after a $WARMUP warm-up each)"
RESULTS=()
RESULTS+=("$(measure direct-upstream $UPSTREAM_PORT /bench/ping "$PID_UPSTREAM")")
RESULTS+=("$(measure nginx-proxy $NGINX_PROXY_PORT /bench/ping "$PID_PROXY")")
RESULTS+=("$(measure edge-routing $EDGE_PLAIN_PORT /bench/ping "$PID_EDGE_PLAIN")")
RESULTS+=("$(measure edge-events $EDGE_EVENTS_PORT /bench/ping "$PID_STACK")")
RESULTS+=("$(measure edge-full-chain $EDGE_EVENTS_PORT /chain/ping "$PID_STACK")")
# the edge answering itself (no route: a JSON 404) shows what the upstream call costs apart from the rest
RESULTS+=("$(measure edge-no-upstream $EDGE_PLAIN_PORT /no-route "$PID_EDGE_PLAIN")")

published="$(curl -s http://127.0.0.1:18293/observe/metrics | awk '/^edge_events_published_total/ {print $2}')"
printf '%s\n' "${RESULTS[@]}" | awk -v published="$published" '
  { name[NR]=$1; rps[NR]=$2; p50[NR]=$3; p99[NR]=$4; cpu[NR]=$5; extra[NR]=""; for (i=6;i<=NF;i++) extra[NR]=extra[NR] " " $i }
  END {
    printf "\n| target | req/s | p50 ms | p99 ms | CPU µs/request | notes |\n|---|---:|---:|---:|---:|---|\n"
    for (i=1;i<=NR;i++) printf "| %s | %.0f | %.2f | %.2f | %.1f |%s |\n", name[i], rps[i], p50[i], p99[i], cpu[i], extra[i]
    printf "\nedge (routing only) / nginx proxy: %.2fx req/s\n", rps[3]/rps[2]
    printf "edge (events on) / nginx proxy:    %.2fx req/s\n", rps[4]/rps[2]
    printf "edge (full chain) / nginx proxy:   %.2fx req/s\n", rps[5]/rps[2]
    printf "p99 added over the direct upstream: nginx %+.2f ms, edge routing %+.2f ms, edge events %+.2f ms, full chain %+.2f ms\n", p99[2]-p99[1], p99[3]-p99[1], p99[4]-p99[1], p99[5]-p99[1]
    printf "CPU per request, edge / nginx proxy: routing %.1fx, events %.1fx, full chain %.1fx (events, full chain: the whole local stack, Kafka included)\n", cpu[3]/cpu[2], cpu[4]/cpu[2], cpu[5]/cpu[2]
    printf "CPU of the upstream call through the edge: %.1f us of its %.1f us per request\n", cpu[3]-cpu[6], cpu[3]
    printf "events published to Kafka by the events-on edge: %s\n", published
  }'
