#!/usr/bin/env bash
# Proxy benchmark: req/s and p50/p99 at 64 connections (saturation), all in one run on this machine, for
#   1. the upstream alone (nginx serving a fixed body: faster than every proxy it is compared with)
#   2. nginx as a reverse proxy to it (1 worker, keep-alive upstream connections): the reference
#   3. a raw virtual-thread proxy (bench/RawSocketProxy: no HTTP library, no policy): the floor of the model
#   3b. Helidon's HTTP/1 server answering a fixed body itself (bench/HelidonFloor): the floor of the server the edge is built on
#   5b. the same edge with Helidon's HTTP/1 connection in place of the edge's own (server.http1: helidon)
#   4. Spring Cloud Gateway (bench/spring-cloud-gateway: WebFlux on Netty, one route): the Java peer
#   5. the edge with routing only (events disabled)
#   6. the edge with events on (embedded Kafka and registry of the local stack)
#   7. the full chain on that edge: API key authentication, the consumer's plan rate limit, events
#   8. an edge with events on in a process of its own (the broker is the local stack's, its topics a prefix no streams
#      app consumes): the cost of events alone, also as the median of alternating saturated rounds against row 5
#   9. on the routing-only edge: its own 404, a cache hit, a 16 kB answer plain, gzip and zstd, and a JSON order POSTed
#      to a plain route and to one checked against the sample OpenAPI contract
# Then latency at a fixed offered rate of half nginx's measured maximum, corrected for coordinated omission
# (bench/ConstantRateLoad, HdrHistogram), the syscalls each proxy makes per request (strace -c), and the bytes the
# edge allocates per request (its jvm_gc_memory_allocated_bytes_total).
# Prints the edge/nginx ratios, the p99 the edge adds over the direct upstream, and the CPU time each proxy
# spends per request (from /proc, so it holds even when other work on the machine moves the req/s).
# Talks to 127.0.0.1 only; every load run is bounded by its duration.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${BENCH_DURATION:-15s}"
# the JVM's JIT compilers keep a core busy for about 20 s of load before the edge's code settles; a shorter warm-up
# measures the compilers more than the edge
WARMUP="${BENCH_WARMUP:-30s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
WORK="$(mktemp -d /tmp/eventgate-bench.XXXXXX)"
UPSTREAM_PORT=18190 NGINX_PROXY_PORT=18191 EDGE_PLAIN_PORT=18192 EDGE_EVENTS_PORT=18193 RAW_PROXY_PORT=18195 SCG_PORT=18196 EDGE_ALONE_PORT=18197 FLOOR_PORT=18198 HELIDON_HTTP1_PORT=18189
FIXED_SECONDS="${BENCH_FIXED_SECONDS:-10}"
EVENT_ROUNDS="${BENCH_EVENT_ROUNDS:-7}"   # alternating saturated rounds of the routing-only and events-on edges
EVENT_ROUND="${BENCH_EVENT_ROUND:-8s}" 
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
  command -v strace >/dev/null || missing+=(strace)
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

micros_per_request() { # clock ticks, requests -> CPU µs per request
  awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }'
}

measure() { # name, port, path, pids of the proxy -> prints "name rps p50ms p99ms cpu_us_per_request"
  local out name="$1" port="$2" path="$3"; shift 3
  local header=(-H "X-Bench: 1")
  [[ "$name" == edge-full-chain ]] && header=(-H "X-API-Key: $BENCH_KEY")
  [[ "$name" == *gzip* ]] && header=(-H "Accept-Encoding: gzip")
  [[ "$name" == *zstd* ]] && header=(-H "Accept-Encoding: zstd")
  [[ "$name" == *post* ]] && header=(-s "$WORK/post.lua")   # the sample order, POSTed as JSON
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
  cpu="$(micros_per_request $((after - before)) "$requests")"
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
(cd "$ROOT" && mvn -B -ntp -q -DskipTests -pl bench -am package && mvn -B -ntp -q -pl bench dependency:build-classpath -Dmdep.outputFile="$WORK/bench.cp")
CP="$ROOT/local-stack/target/classes:$(ls "$ROOT"/local-stack/target/lib/*.jar | tr '\n' ':')"
BENCH_CP="$ROOT/bench/target/classes:$(cat "$WORK/bench.cp")"
JAVA=("$JAVA_HOME/bin/java" "${JAVA_OPTS[@]}" -Xms512m -Xmx1g -Djava.util.logging.config.file="$ROOT/config/logging.properties")

# a 16 kB JSON answer (a file: too long for nginx's return), for what compression costs per kB
for i in $(seq 1 520); do printf '{"id":%d,"name":"item-%05d"},' "$i" "$i"; done | sed 's/^/{"items":[/; s/$/0]}/' > "$WORK/kb.json"
chmod 755 "$WORK" && chmod 644 "$WORK/kb.json" # nginx's worker runs as another user
nginx_conf upstream "server { listen 127.0.0.1:$UPSTREAM_PORT; location / { default_type application/json; return 200 '{\"ok\":true,\"from\":\"upstream\"}'; }
  location = /bench/kb { default_type application/json; alias $WORK/kb.json; } }"
nginx_conf proxy "upstream u { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
  server { listen 127.0.0.1:$NGINX_PROXY_PORT; location / { proxy_pass http://u; proxy_http_version 1.1; proxy_set_header Connection \"\";
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; } }"

edge_yaml() { # port, admin port, events enabled
  cat <<YAML
nodeId: bench-$1
server: {host: 127.0.0.1, port: $1, adminPort: $2}
kafka: {bootstrapServers: "127.0.0.1:19092", schemaRegistryUrl: "http://127.0.0.1:18181"}
events: {enabled: $3, journal: {dir: "$WORK/journal-$1"}}
pools:
  upstream: {instances: [{url: "http://127.0.0.1:$UPSTREAM_PORT"}]}
plans:
  bench: {ratePerSecond: 1000000, burst: 1000000}   # enforced on every request, never reached
consumers:
  bench: {plan: bench, apiKeys: ["sha256:$(printf %s "$BENCH_KEY" | sha256sum | cut -d' ' -f1)"]}
routes:
  - {id: bench, match: {paths: ["/bench/**"]}, upstreams: [{pool: upstream}]}
  - {id: chain, match: {paths: ["/chain/**"]}, anonymous: false, upstreams: [{pool: upstream}]}
  - {id: cache, match: {paths: ["/cache/**"]}, stripPrefix: /cache, addPrefix: /bench, upstreams: [{pool: upstream}], cache: {ttl: 1h}}
  - {id: gzip, match: {paths: ["/gzip/**"]}, stripPrefix: /gzip, addPrefix: /bench, upstreams: [{pool: upstream}],
     compression: {encodings: [gzip], minBytes: 0, contentTypes: [application/json]}}
  - {id: zstd, match: {paths: ["/zstd/**"]}, stripPrefix: /zstd, addPrefix: /bench, upstreams: [{pool: upstream}],
     compression: {encodings: [zstd], minBytes: 0, contentTypes: [application/json]}}
  - {id: post, match: {paths: ["/post/**"]}, upstreams: [{pool: upstream}]}
  - {id: validated, match: {paths: ["/api/orders"]}, upstreams: [{pool: upstream}], contract: {openapi: "$ROOT/config/openapi/demo-orders.yaml"}}
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

# the routing-only edge with Helidon's HTTP/1 connection in place of its own: what the edge's connection saves
edge_yaml $HELIDON_HTTP1_PORT 18288 false | sed 's/adminPort: 18288}/adminPort: 18288, http1: helidon}/' > "$WORK/edge-helidon.yaml"
"${JAVA[@]}" -cp "$CP" io.eventgate.edge.EdgeMain "$WORK/edge-helidon.yaml" > "$WORK/edge-helidon.log" 2>&1 &
PIDS+=($!)
PID_HELIDON_HTTP1=$!

# the raw virtual-thread proxy: what the model costs without any HTTP library or policy
"$JAVA_HOME/bin/java" "${JAVA_OPTS[@]}" -cp "$BENCH_CP" io.eventgate.bench.RawSocketProxy $RAW_PROXY_PORT $UPSTREAM_PORT > "$WORK/raw.log" 2>&1 &
PIDS+=($!)
PID_RAW=$!

# Helidon's server alone, answering a fixed body with the edge's server settings: what the edge spends before its own path
"$JAVA_HOME/bin/java" "${JAVA_OPTS[@]}" -Xms512m -Xmx1g -cp "$BENCH_CP" io.eventgate.bench.HelidonFloor $FLOOR_PORT > "$WORK/floor.log" 2>&1 &
PIDS+=($!)
PID_FLOOR=$!

# Spring Cloud Gateway, built from its own pom (Spring is downloaded for the benchmark only); skipped if it cannot be built
PID_SCG=""
if (cd "$ROOT/bench/spring-cloud-gateway" && mvn -B -ntp -q -DskipTests package dependency:build-classpath -Dmdep.outputFile="$WORK/scg.cp") > "$WORK/scg-build.log" 2>&1; then
  "$JAVA_HOME/bin/java" "${JAVA_OPTS[@]}" -Xms512m -Xmx1g -cp "$ROOT/bench/spring-cloud-gateway/target/classes:$(cat "$WORK/scg.cp")" \
    io.eventgate.bench.scg.GatewayApp --server.port=$SCG_PORT --server.address=127.0.0.1 --bench.upstream=http://127.0.0.1:$UPSTREAM_PORT \
    --logging.level.root=WARN > "$WORK/scg.log" 2>&1 &
  PIDS+=($!)
  PID_SCG=$!
else
  echo "Spring Cloud Gateway could not be built (see below); its row is left out" >&2
  tail -20 "$WORK/scg-build.log" >&2
fi

await_port $UPSTREAM_PORT "nginx upstream"
await_port $NGINX_PROXY_PORT "nginx proxy"
await_port $EDGE_PLAIN_PORT "edge (routing only)"
await_port $EDGE_EVENTS_PORT "edge (events on)"
await_port $FLOOR_PORT "Helidon floor"
await_port $HELIDON_HTTP1_PORT "edge (Helidon's HTTP/1 connection)"

# an edge of its own with events on, publishing to the local stack's broker in that other process: its CPU column is
# the edge's alone, to set against the routing-only edge. Its topics have a prefix of their own, so the local stack's
# streams apps do not consume its events: on two cores their work would run beside the edge and be felt in its figures
"$JAVA_HOME/bin/java" "${JAVA_OPTS[@]}" -cp "$BENCH_CP" io.eventgate.bench.BenchTopics 127.0.0.1:19092 bench-alone. 3 > "$WORK/bench-topics.log" 2>&1 \
  || { echo "cannot create the bench-alone. topics:" >&2; cat "$WORK/bench-topics.log" >&2; exit 1; }
edge_yaml $EDGE_ALONE_PORT 18297 true | sed 's|schemaRegistryUrl: "http://127.0.0.1:18181"}|schemaRegistryUrl: "http://127.0.0.1:18181", topicPrefix: bench-alone.}|' \
  > "$WORK/edge-alone.yaml"
grep -q 'topicPrefix: bench-alone.' "$WORK/edge-alone.yaml"
"${JAVA[@]}" -cp "$CP" io.eventgate.edge.EdgeMain "$WORK/edge-alone.yaml" > "$WORK/edge-alone.log" 2>&1 &
PIDS+=($!)
PID_EDGE_ALONE=$!
await_port $EDGE_ALONE_PORT "edge (events on, its own process)"
[[ -n "$PID_SCG" ]] && await_port $SCG_PORT "Spring Cloud Gateway"

echo "measuring: wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after a $WARMUP warm-up each)"
RESULTS=()
RESULTS+=("$(measure direct-upstream $UPSTREAM_PORT /bench/ping "$PID_UPSTREAM")")
RESULTS+=("$(measure nginx-proxy $NGINX_PROXY_PORT /bench/ping "$PID_PROXY")")
RESULTS+=("$(measure raw-vthread-proxy $RAW_PROXY_PORT /bench/ping "$PID_RAW")")
RESULTS+=("$(measure helidon-floor $FLOOR_PORT /bench/ping "$PID_FLOOR")")
[[ -n "$PID_SCG" ]] && RESULTS+=("$(measure spring-cloud-gateway $SCG_PORT /bench/ping "$PID_SCG")")
RESULTS+=("$(measure edge-routing $EDGE_PLAIN_PORT /bench/ping "$PID_EDGE_PLAIN")")
RESULTS+=("$(measure edge-helidon-http1 $HELIDON_HTTP1_PORT /bench/ping "$PID_HELIDON_HTTP1")")
RESULTS+=("$(measure edge-events-own-process $EDGE_ALONE_PORT /bench/ping "$PID_EDGE_ALONE")")
RESULTS+=("$(measure edge-events $EDGE_EVENTS_PORT /bench/ping "$PID_STACK")")
RESULTS+=("$(measure edge-full-chain $EDGE_EVENTS_PORT /chain/ping "$PID_STACK")")
# the edge answering itself (no route: a JSON 404) shows what the upstream call costs apart from the rest
RESULTS+=("$(measure edge-no-upstream $EDGE_PLAIN_PORT /no-route "$PID_EDGE_PLAIN")")
# traffic policies: a cache hit (no upstream call), and a 16 kB answer as it is, gzip- and zstd-compressed
RESULTS+=("$(measure edge-cache-hit $EDGE_PLAIN_PORT /cache/ping "$PID_EDGE_PLAIN")")
RESULTS+=("$(measure edge-16k $EDGE_PLAIN_PORT /bench/kb "$PID_EDGE_PLAIN")")
RESULTS+=("$(measure edge-gzip-16k $EDGE_PLAIN_PORT /gzip/kb "$PID_EDGE_PLAIN")")
RESULTS+=("$(measure edge-zstd-16k $EDGE_PLAIN_PORT /zstd/kb "$PID_EDGE_PLAIN")")
# an order POSTed as JSON, through a plain route and through one that checks it against the sample OpenAPI contract
cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"orderId":"o-1","amount":9.5,"currency":"EUR"}'
wrk.headers["Content-Type"] = "application/json"
LUA
RESULTS+=("$(measure edge-post $EDGE_PLAIN_PORT /post/orders "$PID_EDGE_PLAIN")")
RESULTS+=("$(measure edge-post-validated $EDGE_PLAIN_PORT /api/orders "$PID_EDGE_PLAIN")")

published="$(curl -s http://127.0.0.1:18293/observe/metrics | awk '/^edge_events_published_total/ {print $2}')"
printf '%s\n' "${RESULTS[@]}" | awk -v published="$published" '
  { n=$1; order[NR]=n; rps[n]=$2; p50[n]=$3; p99[n]=$4; cpu[n]=$5; extra[n]=""; for (i=6;i<=NF;i++) extra[n]=extra[n] " " $i }
  END {
    printf "\n| target | req/s | p50 ms | p99 ms | CPU µs/request | notes |\n|---|---:|---:|---:|---:|---|\n"
    for (i=1;i<=NR;i++) { n=order[i]; printf "| %s | %.0f | %.2f | %.2f | %.1f |%s |\n", n, rps[n], p50[n], p99[n], cpu[n], extra[n] }
    ng="nginx-proxy"
    printf "\n"
    split("raw-vthread-proxy spring-cloud-gateway edge-routing edge-helidon-http1 edge-events edge-full-chain", rows, " ")
    for (i=1;i<=6;i++) { n=rows[i]; if (n in rps) printf "%s / nginx proxy: %.2fx req/s, p99 %.1fx, CPU per request %.1fx\n", n, rps[n]/rps[ng], p99[n]/p99[ng], cpu[n]/cpu[ng] }
    if ("spring-cloud-gateway" in rps) printf "edge (routing only) / Spring Cloud Gateway: %.2fx req/s, p99 %.2fx\n", rps["edge-routing"]/rps["spring-cloud-gateway"], p99["edge-routing"]/p99["spring-cloud-gateway"]
    printf "p99 added over the direct upstream:"
    for (i=1;i<=NR;i++) { n=order[i]; if (n != "direct-upstream" && n != "edge-no-upstream") printf " %s %+.2f ms,", n, p99[n]-p99["direct-upstream"] }
    if ("edge-events-own-process" in cpu) printf "\nCPU per request with events on, edge process alone (broker in another process) / routing only: %+.0f %%", (cpu["edge-events-own-process"]/cpu["edge-routing"]-1)*100
    printf "\nCPU per request, edge routing / raw virtual-thread proxy: %.1fx (events, full chain rows: the whole local stack, Kafka included)\n", cpu["edge-routing"]/cpu["raw-vthread-proxy"]
    printf "CPU of the upstream call through the edge: %.1f us of its %.1f us per request\n", cpu["edge-routing"]-cpu["edge-no-upstream"], cpu["edge-routing"]
    if ("helidon-floor" in cpu) printf "CPU per request of the Helidon server answering a fixed body itself: %.1f us; the rest of the %.1f us of the edge (pipeline, upstream call): %.1f us\n", cpu["helidon-floor"], cpu["edge-routing"], cpu["edge-routing"]-cpu["helidon-floor"]
    printf "events published to Kafka by the events-on edge: %s\n", published
    if ("edge-cache-hit" in cpu) printf "CPU per request of a cache hit / the edge answering its own 404: %.2fx\n", cpu["edge-cache-hit"]/cpu["edge-no-upstream"]
    if ("edge-gzip-16k" in cpu) printf "gzip of a 16 kB JSON answer: %+.1f us of CPU per request, %.2f us per kB\n", cpu["edge-gzip-16k"]-cpu["edge-16k"], (cpu["edge-gzip-16k"]-cpu["edge-16k"])/16
    if ("edge-zstd-16k" in cpu) printf "zstd of a 16 kB JSON answer: %+.1f us of CPU per request, %.2f us per kB\n", cpu["edge-zstd-16k"]-cpu["edge-16k"], (cpu["edge-zstd-16k"]-cpu["edge-16k"])/16
    if ("edge-post-validated" in cpu) printf "OpenAPI check of a JSON order (parameters, media type, body schema): %+.1f us of CPU per request, p99 %+.2f ms, req/s %.2fx\n", cpu["edge-post-validated"]-cpu["edge-post"], p99["edge-post-validated"]-p99["edge-post"], rps["edge-post-validated"]/rps["edge-post"]
  }'

# latency at a fixed offered rate: half of what nginx as a proxy reached above
NGINX_RPS="$(printf '%s\n' "${RESULTS[@]}" | awk '$1=="nginx-proxy" {printf "%.0f", $2}')"
RATE=$((NGINX_RPS / 2))
fixed_rate() { # name, port, path, pid of the proxy, [header] -> "name achieved p50 p99 p99.9 errors cpu_us_per_request"
  local out before after
  before="$(cpu_ticks "$4")"
  out="$("$JAVA_HOME/bin/java" "${JAVA_OPTS[@]}" -cp "$BENCH_CP" io.eventgate.bench.ConstantRateLoad "http://127.0.0.1:$2$3" "$RATE" "$FIXED_SECONDS" 64 5 ${5:+"$5"})"
  after="$(cpu_ticks "$4")"
  # the CPU counts the generator's 5 s warm-up at the same rate too
  awk -v n="$1" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v s="$((FIXED_SECONDS + 5))" \
    '{printf "%s %.0f %.2f %.2f %.2f %s %.1f\n", n, $2, $3, $5, $6, $8, t / hz * 1e6 / ($2 * s)}' <<<"$out"
}
echo
echo "fixed offered rate: $RATE req/s (half of nginx's maximum), 64 connections, ${FIXED_SECONDS}s after a 5 s warm-up, latency from each request's intended start"
FIXED=()
FIXED+=("$(fixed_rate direct-upstream $UPSTREAM_PORT /bench/ping "$PID_UPSTREAM")")
FIXED+=("$(fixed_rate nginx-proxy $NGINX_PROXY_PORT /bench/ping "$PID_PROXY")")
FIXED+=("$(fixed_rate raw-vthread-proxy $RAW_PROXY_PORT /bench/ping "$PID_RAW")")
[[ -n "$PID_SCG" ]] && FIXED+=("$(fixed_rate spring-cloud-gateway $SCG_PORT /bench/ping "$PID_SCG")")
FIXED+=("$(fixed_rate edge-routing $EDGE_PLAIN_PORT /bench/ping "$PID_EDGE_PLAIN")")
FIXED+=("$(fixed_rate edge-helidon-http1 $HELIDON_HTTP1_PORT /bench/ping "$PID_HELIDON_HTTP1")")
FIXED+=("$(fixed_rate edge-events-own-process $EDGE_ALONE_PORT /bench/ping "$PID_EDGE_ALONE")")
FIXED+=("$(fixed_rate edge-events $EDGE_EVENTS_PORT /bench/ping "$PID_STACK")")
FIXED+=("$(fixed_rate edge-full-chain $EDGE_EVENTS_PORT /chain/ping "$PID_STACK" "X-API-Key: $BENCH_KEY")")
printf '%s\n' "${FIXED[@]}" | awk '
  { n=$1; order[NR]=n; rps[n]=$2; p50[n]=$3; p99[n]=$4; p999[n]=$5; err[n]=$6; cpu[n]=$7 }
  END {
    printf "\n| target | achieved req/s | p50 ms | p99 ms | p99.9 ms | errors | CPU µs/request |\n|---|---:|---:|---:|---:|---:|---:|\n"
    for (i=1;i<=NR;i++) { n=order[i]; printf "| %s | %.0f | %.2f | %.2f | %.2f | %s | %.1f |\n", n, rps[n], p50[n], p99[n], p999[n], err[n], cpu[n] }
    printf "\nCPU per request at this rate with events on, edge process alone / routing only: %+.0f %%", (cpu["edge-events-own-process"]/cpu["edge-routing"]-1)*100
    printf "\np99 added over the direct upstream at this rate:"
    for (i=2;i<=NR;i++) { n=order[i]; printf " %s %+.2f ms,", n, p99[n]-p99["direct-upstream"] }
    printf "\nwhole local stack (events on) p99 / edge alone p99: %.1fx\n", p99["edge-events"]/p99["edge-routing"]
  }'

# what events cost the edge's own process at a rate both edges serve with room to spare (a third of the rate above):
# at saturation the edge's per-request cost is at its lowest, so the events' fixed cost per request weighs most there
FULL_RATE=$RATE
RATE=$((FULL_RATE / 3))
LOW=()
LOW+=("$(fixed_rate edge-routing $EDGE_PLAIN_PORT /bench/ping "$PID_EDGE_PLAIN")")
LOW+=("$(fixed_rate edge-events-own-process $EDGE_ALONE_PORT /bench/ping "$PID_EDGE_ALONE")")
RATE=$FULL_RATE
printf '%s\n' "${LOW[@]}" | awk -v r="$((FULL_RATE / 3))" '{ cpu[$1]=$7; p99[$1]=$4 }
  END { printf "\nat %d req/s: CPU per request edge-routing %.1f us, edge-events-own-process %.1f us (%+.0f %%); p99 %.2f ms and %.2f ms\n", r,
    cpu["edge-routing"], cpu["edge-events-own-process"], (cpu["edge-events-own-process"]/cpu["edge-routing"]-1)*100, p99["edge-routing"], p99["edge-events-own-process"] }'

# the same at saturation, measured in alternating rounds: one run per row swings by 10-20 % on a shared two-core
# machine, more than the difference to show, so the figure is the median of each round's ratio
saturated_cpu() { # port, pid -> CPU µs per request over one wrk run
  local before after requests
  before="$(cpu_ticks "$2")"
  requests="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$EVENT_ROUND" -H "X-Bench: 1" "http://127.0.0.1:$1/bench/ping" | awk '/requests in/ {print $1}')"
  after="$(cpu_ticks "$2")"
  micros_per_request $((after - before)) "$requests"
}
ROUNDS=()
for _ in $(seq 1 "$EVENT_ROUNDS"); do
  ROUNDS+=("$(saturated_cpu $EDGE_PLAIN_PORT "$PID_EDGE_PLAIN") $(saturated_cpu $EDGE_ALONE_PORT "$PID_EDGE_ALONE")")
done
printf '%s\n' "${ROUNDS[@]}" | awk -v round="$EVENT_ROUND" '
  { ratio[NR] = $2 / $1; line = line sprintf(" %.1f/%.1f", $1, $2) }
  END {
    for (i = 2; i <= NR; i++) for (j = i; j > 1 && ratio[j-1] > ratio[j]; j--) { t = ratio[j]; ratio[j] = ratio[j-1]; ratio[j-1] = t }
    median = NR % 2 ? ratio[(NR + 1) / 2] : (ratio[NR / 2] + ratio[NR / 2 + 1]) / 2
    printf "\nat saturation, %d alternating rounds of %s (CPU µs per request, routing only/events on:%s): events on, edge process alone, median %+.0f %%\n",
      NR, round, line, (median - 1) * 100 }'

# syscalls per proxied request, counted by strace over a short wrk run (strace slows the process; the counts hold)
syscalls() { # name, port, pid -> "name: N write, N read, ... per request"
  local requests
  timeout 20 strace -c -f -p "$3" -o "$WORK/$1.strace" 2>/dev/null &
  local tracer=$!
  sleep 1
  requests="$(wrk -t1 -c16 -d5s "http://127.0.0.1:$2/bench/ping" | awk '/requests in/ {print $1}')"
  kill -INT "$tracer" 2>/dev/null || true
  wait "$tracer" 2>/dev/null || true
  awk -v n="$1" -v r="$requests" '$NF ~ /^(read|write|readv|writev|recvfrom|sendto|epoll_wait|epoll_ctl|futex|epoll_pwait)$/ {
      out = out sprintf("%s %.2f, ", $NF, $4 / r) }
    END { printf "%s: %s(%d requests)\n", n, out, r }' "$WORK/$1.strace"
}
echo
echo "syscalls per request (strace -c -f, 5 s of wrk -c16):"
syscalls nginx-proxy $NGINX_PROXY_PORT "$(pgrep -P "$PID_PROXY" | head -1)"
syscalls raw-vthread-proxy $RAW_PROXY_PORT "$PID_RAW"
syscalls edge-routing $EDGE_PLAIN_PORT "$PID_EDGE_PLAIN"
syscalls edge-helidon-http1 $HELIDON_HTTP1_PORT "$PID_HELIDON_HTTP1"

# bytes the edge allocates per proxied request, from its GC's own count over a wrk run
allocated() { curl -s "http://127.0.0.1:$1/observe/metrics" | awk '/^jvm_gc_memory_allocated_bytes_total/ {print $2}'; }
before="$(allocated 18292)"
requests="$(wrk -t2 -c64 -d"$DURATION" "http://127.0.0.1:$EDGE_PLAIN_PORT/bench/ping" | awk '/requests in/ {print $1}')"
after="$(allocated 18292)"
awk -v b="$before" -v a="$after" -v r="$requests" 'BEGIN { printf "\nedge (routing only) allocates %.0f bytes per proxied request (%d requests)\n", (a - b) / r, r }'
before="$(allocated 18288)"
requests="$(wrk -t2 -c64 -d"$DURATION" "http://127.0.0.1:$HELIDON_HTTP1_PORT/bench/ping" | awk '/requests in/ {print $1}')"
after="$(allocated 18288)"
awk -v b="$before" -v a="$after" -v r="$requests" 'BEGIN { printf "edge (routing only) with the HTTP/1 connection of Helidon allocates %.0f bytes per proxied request (%d requests)\n", (a - b) / r, r }'
before="$(curl -s "http://127.0.0.1:$FLOOR_PORT/bench/allocated")"
requests="$(wrk -t2 -c64 -d"$DURATION" "http://127.0.0.1:$FLOOR_PORT/bench/ping" | awk '/requests in/ {print $1}')"
after="$(curl -s "http://127.0.0.1:$FLOOR_PORT/bench/allocated")"
awk -v b="$before" -v a="$after" -v r="$requests" 'BEGIN { printf "the Helidon server answering a fixed body itself allocates %.0f bytes per request (%d requests)\n", (a - b) / r, r }'
