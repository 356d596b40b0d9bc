#!/usr/bin/env bash
# Feedback-loop benchmark: how long from a request that uses up a consumer's daily quota until every edge node
# (two, in the local stack) refuses that consumer; p50/p90/p99 over the rounds. Talks to 127.0.0.1 only.
# Usage: bench/feedback-bench.sh [rounds]   (default 100)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/gateway" --source-only
find_jdk; require_maven
echo "building eventgate..."
(cd "$ROOT" && mvn -B -ntp -q -DskipTests -pl bench -am package)
CP="$ROOT/bench/target/classes:$ROOT/local-stack/target/classes:$(ls "$ROOT"/local-stack/target/lib/*.jar | tr '\n' ':')"
cd "$ROOT"
exec "$JAVA_HOME/bin/java" "${JAVA_OPTS[@]}" -Xmx2g -Djava.util.logging.config.file="$ROOT/config/logging.properties" \
  -cp "$CP" io.eventgate.bench.FeedbackLatency "$@"
