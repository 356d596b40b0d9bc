#!/usr/bin/env bash
# Feedback-loop benchmark: how long from a request that uses up a consumer's daily quota until every edge node
# (two, in the local stack) refuses that consumer; p50/p90/p99 over the rounds. Talks to 127.0.0.1 only.
# Usage: bench/feedback-bench.sh [rounds]   (default 100)
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/gateway" --source-only
run_bench io.eventgate.bench.FeedbackLatency "$@"
