#!/usr/bin/env bash
# Faults under load on the multi-process cluster (bench/cluster.sh: three brokers, two edges, two instances of each
# streams app): SIGKILL of the broker leading most gateway.requests partitions, of an edge, of one instance of each
# streams app; edge-1 cut off from every broker (a TCP proxy between them), then until its journal is full. Prints
# client errors per edge, answered request ids set against the events on gateway.requests, billing usage against the
# requests served, and how each part recovered. About fifteen minutes. Usage: bench/chaos-bench.sh [clients [cutSeconds [perClient [broker,edge,streams,cut,journal]]]]
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/gateway" --source-only
run_bench io.eventgate.bench.ChaosBench "$@"
