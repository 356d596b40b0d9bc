#!/usr/bin/env bash
# Analytics benchmark: events/s that analytics-streams processes exactly once from a pre-filled topic, next to
# a plain consumer that only reads and decodes the same events (the reference), both in one run on this machine.
# Usage: bench/analytics-bench.sh [events] [partitions]   (defaults 1000000 and 3). Talks to 127.0.0.1 only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/gateway" --source-only
find_jdk; require_maven
echo "building eventgate..."
(cd "$ROOT" && mvn -B -ntp -q -DskipTests -pl bench -am package)
CP="$ROOT/bench/target/classes:$ROOT/local-stack/target/classes:$(ls "$ROOT"/local-stack/target/lib/*.jar | tr '\n' ':')"
exec "$JAVA_HOME/bin/java" "${JAVA_OPTS[@]}" -Xms1g -Xmx4g -Djava.util.logging.config.file="$ROOT/config/logging.properties" \
  -cp "$CP" io.eventgate.bench.AnalyticsThroughput "$@"
