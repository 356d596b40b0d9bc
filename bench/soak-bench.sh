#!/usr/bin/env bash
# A long run at half of the measured capacity on the multi-process cluster (bench/cluster.sh), sampling every 10 s each
# process's heap after GC, threads and file descriptors, each edge's journal backlog and each streams app's consumer
# lag; prints each series' slope per hour. Usage: bench/soak-bench.sh [minutes] (default 30; the cluster's start, a
# minute of warm-up and a 30 s capacity probe come on top).
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/gateway" --source-only
run_bench io.eventgate.bench.SoakBench "$@"
