#!/usr/bin/env bash
# A multi-process cluster on this machine, each part in a JVM of its own: three KRaft brokers (replication factor 3,
# min.insync.replicas 2, no unclean leader election), the schema registry with the contract topics and the demo
# responder, the demo upstream, two instances of each streams app (standby replicas on the other) and two edge nodes.
#
#   bench/cluster.sh up            build if needed, start every part, wait until the edges are ready
#   bench/cluster.sh status        each part: pid, alive or not, where it listens
#   bench/cluster.sh down          stop every part (SIGTERM, SIGKILL after 20 s)
#   bench/cluster.sh kill PART     SIGKILL one part (broker-2, edge-1, analytics-1, ...): for fault injection
#   bench/cluster.sh stop PART     stop one part (SIGTERM)
#   bench/cluster.sh start PART    start one part again, with its data and config as they were left
#
# Everything lives under $EVENTGATE_CLUSTER_DIR (default .gateway-cluster/): configs, data, logs, pids.
# Each broker has a second client listener (19194, 19294, 19394) that advertises 29194, 29294, 29394: with
# EVENTGATE_CLUSTER_EDGE1_VIA=proxy edge-1 bootstraps there, so a TCP proxy on those ports (the chaos benchmark's)
# stands between edge-1 and every broker. Talks to 127.0.0.1 only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${EVENTGATE_CLUSTER_DIR:-$ROOT/.gateway-cluster}"
PARTITIONS="${EVENTGATE_CLUSTER_PARTITIONS:-6}"
HOST=127.0.0.1
BROKER_PORTS=(19192 19292 19392) CONTROLLER_PORTS=(19193 19293 19393)
FAULT_PORTS=(19194 19294 19394) FAULT_ADVERTISED=(29194 29294 29394)
REGISTRY_PORT=28081 DEMO_PORT=28090
EDGE_PORTS=(28080 28082) EDGE_ADMIN_PORTS=(28180 28182)
ANALYTICS_PORTS=(28083 28084) ANOMALY_PORTS=(28093 28094) POLICY_METRICS_PORTS=(28095 28096)
BOOTSTRAP="$HOST:${BROKER_PORTS[0]},$HOST:${BROKER_PORTS[1]},$HOST:${BROKER_PORTS[2]}"
VOTERS="1@$HOST:${CONTROLLER_PORTS[0]},2@$HOST:${CONTROLLER_PORTS[1]},3@$HOST:${CONTROLLER_PORTS[2]}"
REGISTRY="http://$HOST:$REGISTRY_PORT"
PARTS=(broker-1 broker-2 broker-3 setup demo-upstream policy-1 policy-2 analytics-1 analytics-2 anomaly-1 anomaly-2 edge-1 edge-2)

source "$ROOT/gateway" --source-only

classpath() {
  echo "$ROOT/local-stack/target/classes:$(ls "$ROOT"/local-stack/target/lib/*.jar | tr '\n' ':')"
}

build() { # as ./gateway local does: Maven compiles what changed
  find_jdk; require_maven
  echo "building eventgate..."
  (cd "$ROOT" && mvn "${MVN_FLAGS[@]}" -q -DskipTests -pl local-stack -am package)
}

pid_of() { cat "$DIR/pids/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid="$(pid_of "$1")"; [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }

# the process of one part: main class and arguments
command_of() {
  local part="$1" n
  case "$part" in
    broker-*) n="${part#broker-}"
      echo "-Xmx512m io.eventgate.kafka.embedded.BrokerMain $n $DIR/data/$part $HOST ${BROKER_PORTS[n-1]} ${CONTROLLER_PORTS[n-1]} $VOTERS $(cat "$DIR/cluster.id") $PARTITIONS ${FAULT_PORTS[n-1]}:${FAULT_ADVERTISED[n-1]}" ;;
    setup) echo "-Xmx256m io.eventgate.local.ClusterSetupMain $BOOTSTRAP $HOST $REGISTRY_PORT $DIR/data/setup $PARTITIONS" ;;
    demo-upstream) echo "-Xmx128m io.eventgate.demo.DemoUpstreamMain $HOST $DEMO_PORT" ;;
    policy-*) echo "-Xmx384m io.eventgate.policy.PolicyStreamsMain $DIR/config/$part.yaml" ;;
    analytics-*) echo "-Xmx512m io.eventgate.analytics.AnalyticsStreamsMain $DIR/config/$part.yaml" ;;
    anomaly-*) echo "-Xmx384m io.eventgate.anomaly.AnomalyDetectorMain $DIR/config/$part.yaml" ;;
    edge-*) echo "-Xmx512m io.eventgate.edge.EdgeMain $DIR/config/$part.yaml" ;;
    *) echo "error: no part '$part' (parts: ${PARTS[*]})" >&2; exit 2 ;;
  esac
}

start_part() {
  local part="$1"
  if alive "$part"; then echo "$part is running already (pid $(pid_of "$part"))"; return 0; fi
  local args; args="$(command_of "$part")"
  # shellcheck disable=SC2086 # the arguments are words without spaces
  nohup "$JAVA_HOME/bin/java" "${JAVA_OPTS[@]}" -Djava.util.logging.config.file="$ROOT/config/logging.properties" \
    -cp "$(classpath)" $args >> "$DIR/logs/$part.log" 2>&1 &
  echo $! > "$DIR/pids/$part.pid"
}

await() { # what, seconds, command...
  local what="$1" seconds="$2"; shift 2
  for _ in $(seq 1 $((seconds * 2))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "error: $what not up after ${seconds}s; see $DIR/logs/" >&2
  return 1
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

write_configs() {
  mkdir -p "$DIR/config"
  local n bootstrap
  for n in 1 2; do
    bootstrap="$BOOTSTRAP"
    if [[ $n == 1 && -n "${EVENTGATE_CLUSTER_EDGE1_VIA:-}" ]]; then
      bootstrap="$HOST:${FAULT_ADVERTISED[0]},$HOST:${FAULT_ADVERTISED[1]},$HOST:${FAULT_ADVERTISED[2]}"
    fi
    cat > "$DIR/config/policy-$n.yaml" <<YAML
applicationId: eventgate-policy-streams
bootstrapServers: "$BOOTSTRAP"
schemaRegistryUrl: $REGISTRY
topicPrefix: gateway.
stateDir: $DIR/data/policy-$n
exactlyOnce: true
quotaZone: UTC
metricsPort: ${POLICY_METRICS_PORTS[n-1]}
YAML
    sed -e "s|^bootstrapServers:.*|bootstrapServers: \"$BOOTSTRAP\"|" -e "s|^schemaRegistryUrl:.*|schemaRegistryUrl: $REGISTRY|" \
      -e "s|^stateDir:.*|stateDir: $DIR/data/analytics-$n|" -e "s|^  port:.*|  port: ${ANALYTICS_PORTS[n-1]}|" \
      -e "s|^  bindAddress:.*|  bindAddress: $HOST|" -e "s|^  advertisedHost:.*|  advertisedHost: $HOST|" \
      "$ROOT/config/analytics-streams.yaml" > "$DIR/config/analytics-$n.yaml"
    sed -e "s|^bootstrapServers:.*|bootstrapServers: \"$BOOTSTRAP\"|" -e "s|^schemaRegistryUrl:.*|schemaRegistryUrl: $REGISTRY|" \
      -e "s|^stateDir:.*|stateDir: $DIR/data/anomaly-$n|" -e "s|^metricsPort:.*|metricsPort: ${ANOMALY_PORTS[n-1]}|" \
      "$ROOT/config/anomaly-detector.yaml" > "$DIR/config/anomaly-$n.yaml"
    cat > "$DIR/config/edge-$n.yaml" <<YAML
nodeId: edge-$n
server: {host: $HOST, port: ${EDGE_PORTS[n-1]}, adminPort: ${EDGE_ADMIN_PORTS[n-1]}}
kafka: {bootstrapServers: "$bootstrap", schemaRegistryUrl: $REGISTRY, topicPrefix: gateway.}
events: {journal: {dir: $DIR/data/edge-$n/journal}}
policies: {follow: true, heartbeatInterval: 500ms}
pools:
  demo: {instances: [{url: "http://$HOST:$DEMO_PORT"}], healthCheck: {path: /health, interval: 5s, timeout: 1s}}
plans:
  demo: {ratePerSecond: 100, burst: 200}
  shared: {ratePerSecond: 200, burst: 200, global: true}          # divided between the edges by demand
  trial: {ratePerSecond: 5000, burst: 5000, dailyQuota: 6000}
  strict: {ratePerSecond: 5000, burst: 5000, dailyQuota: 100000000, quotaFailClosed: true}
consumers:
  demo: {plan: demo, apiKeys: ["sha256:c48a01f49fd0f2cc404bc3cbbc80e91457a3d41bb429a695243de4c61794155c"]}   # demo-key
  partner: {plan: shared, apiKeys: ["sha256:346e50af211b5135824bb2bb58fe0f9e6df228adcf10c58a37fbc46b57baee74"]}   # partner-key
  trial: {plan: trial, apiKeys: ["sha256:b9ee288dd0b1b611588b3d7ae167d7964c306b8b2a81a675a774aa48f8c1822c"]}   # trial-key
  strict: {plan: strict, apiKeys: ["sha256:083ec72c0b3129e378780f0a1f44da8c40053ed7f6810e5644b459af0cb5731b"]}   # strict-key
routes:
  - {id: echo, match: {paths: ["/echo/**"]}, upstreams: [{pool: demo}]}
  - {id: api, match: {paths: ["/api/**"]}, anonymous: false, stripPrefix: /api, addPrefix: /echo, upstreams: [{pool: demo}]}
  - {id: orders-in, match: {paths: ["/events/orders"]}, anonymous: false,
     kafka: {topic: demo.orders, mode: produce, key: "json:/orderId", location: "/events/orders/{key}"}}
YAML
  done
}

up() {
  build
  mkdir -p "$DIR/logs" "$DIR/pids" "$DIR/data"
  # every node of a cluster is formatted with the same id: Kafka's form, 16 random bytes in URL-safe base64, never
  # beginning with '-' (the storage tool would read it as an option, as Kafka's own ids avoid)
  while [[ ! -s "$DIR/cluster.id" || "$(head -c 1 "$DIR/cluster.id")" == "-" ]]; do
    head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' > "$DIR/cluster.id"
  done
  write_configs
  echo "starting three Kafka brokers..."
  start_part broker-1; start_part broker-2; start_part broker-3
  for n in 0 1 2; do await "broker $((n + 1))" 120 port_open "${BROKER_PORTS[n]}"; done
  echo "creating topics (replication factor 3), starting the schema registry..."
  start_part setup
  await "the schema registry" 180 curl -sf "$REGISTRY/subjects/gateway.requests-value/versions/latest"
  start_part demo-upstream
  echo "starting two instances of each streams app and two edge nodes..."
  local part
  for part in policy-1 policy-2 analytics-1 analytics-2 anomaly-1 anomaly-2 edge-1 edge-2; do start_part "$part"; done
  for n in 0 1; do await "edge-$((n + 1))" 180 curl -sf "http://$HOST:${EDGE_ADMIN_PORTS[n]}/observe/ready"; done
  status
  echo
  echo "try: curl -s -H 'X-API-Key: demo-key' http://$HOST:${EDGE_PORTS[0]}/api/hi   (and :${EDGE_PORTS[1]}, the other edge)"
}

status() {
  printf '%-14s %-8s %-6s %s\n' part pid state listens
  local part where
  for part in "${PARTS[@]}"; do
    case "$part" in
      broker-*) where="$HOST:${BROKER_PORTS[${part#broker-}-1]}" ;;
      setup) where="$REGISTRY (schema registry)" ;;
      demo-upstream) where="http://$HOST:$DEMO_PORT" ;;
      policy-*) where="http://$HOST:${POLICY_METRICS_PORTS[${part#policy-}-1]}/metrics" ;;
      analytics-*) where="http://$HOST:${ANALYTICS_PORTS[${part#analytics-}-1]}/ (query API, dashboard, /metrics)" ;;
      anomaly-*) where="http://$HOST:${ANOMALY_PORTS[${part#anomaly-}-1]}/metrics" ;;
      edge-*) where="http://$HOST:${EDGE_PORTS[${part#edge-}-1]} (admin :${EDGE_ADMIN_PORTS[${part#edge-}-1]})" ;;
      *) where="-" ;;
    esac
    if alive "$part"; then
      printf '%-14s %-8s %-6s %s\n' "$part" "$(pid_of "$part")" up "$where"
    else
      printf '%-14s %-8s %-6s %s\n' "$part" "-" down "$where"
    fi
  done
}

down() {
  local part pid
  for part in edge-2 edge-1 anomaly-2 anomaly-1 analytics-2 analytics-1 policy-2 policy-1 demo-upstream setup broker-3 broker-2 broker-1; do
    alive "$part" && kill -TERM "$(pid_of "$part")" 2>/dev/null || true
  done
  for _ in $(seq 1 40); do
    local running=0
    for part in "${PARTS[@]}"; do alive "$part" && running=1; done
    ((running)) || break
    sleep 0.5
  done
  for part in "${PARTS[@]}"; do
    if alive "$part"; then pid="$(pid_of "$part")"; echo "$part did not stop in 20 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    rm -f "$DIR/pids/$part.pid"
  done
  echo "cluster stopped (data kept in $DIR/data; remove $DIR to start afresh)"
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  down) down ;;
  kill) [[ -n "${2:-}" ]] || { echo "usage: $0 kill PART" >&2; exit 2; }
    command_of "$2" >/dev/null
    alive "$2" && kill -KILL "$(pid_of "$2")" && echo "$2 killed (SIGKILL)" || echo "$2 is not running" ;;
  stop) [[ -n "${2:-}" ]] || { echo "usage: $0 stop PART" >&2; exit 2; }
    command_of "$2" >/dev/null
    if alive "$2"; then
      pid="$(pid_of "$2")"; kill -TERM "$pid"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && { echo "$2 did not stop in 20 s: SIGKILL"; kill -KILL "$pid"; }
      rm -f "$DIR/pids/$2.pid"; echo "$2 stopped"
    else echo "$2 is not running"; fi ;;
  start) [[ -n "${2:-}" ]] || { echo "usage: $0 start PART" >&2; exit 2; }
    find_jdk; mkdir -p "$DIR/logs" "$DIR/pids"; start_part "$2"; echo "$2 started (pid $(pid_of "$2"))" ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
