#!/usr/bin/env bash
# Faults under load on the multi-process cluster (bench/cluster.sh: three brokers, two edges, two instances of each
# streams app): SIGKILL of the broker leading most gateway.requests partitions, then of an edge, each restarted;
# prints client errors per edge and the answered request ids set against the events on gateway.requests.
# About five minutes. Usage: bench/chaos-bench.sh [clients]
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/gateway" --source-only
run_bench io.eventgate.bench.ChaosBench "$@"
