#!/usr/bin/env bash
# Crash benchmark: faults under load with Kafka (and the schema registry) in one process, the edge in another, the
# load and the upstream in a third. SIGKILLs Kafka, the edge, then both, restarts them, and compares the request ids
# that got a 2xx with the ids on gateway.requests: lost, copies, EDGE_CRASHED. About 3 minutes; 127.0.0.1 only.
# Usage: bench/crash-bench.sh [client threads]   (default 32)
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/gateway" --source-only
run_bench io.eventgate.bench.CrashBench "$@"
