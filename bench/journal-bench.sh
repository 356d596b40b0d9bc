#!/usr/bin/env bash
# Journal cost benchmark: the CPU and the latency the edge's event journal adds to a request (its admission and its
# event written to the memory-mapped journal, one reader following), against the same requests encoding their event
# without it, in one run. About a minute. Usage: bench/journal-bench.sh [requests per thread] [threads]
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/gateway" --source-only
run_bench io.eventgate.bench.JournalCost "$@"
