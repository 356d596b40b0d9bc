#!/usr/bin/env bash
# Kafka targets benchmark: produce through the edge (wrk) against a Kafka producer awaiting each acknowledgement, and
# 1,000 Server-Sent Event streams fed 1,000 records a second (delivery latency), and webhook deliveries to a local
# receiver, in one run on an embedded broker.
# About three minutes. Usage: bench/kafka-bench.sh [seconds per measurement] [streams] [records per second] [webhook records] [events-off]
set -euo pipefail
if ! command -v wrk >/dev/null; then
  echo "installing wrk (the load generator)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/gateway" --source-only
run_bench io.eventgate.bench.KafkaTargetBench "$@"
