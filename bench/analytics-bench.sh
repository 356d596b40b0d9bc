#!/usr/bin/env bash
# Analytics benchmark: events/s that analytics-streams processes exactly once from a pre-filled topic, next to
# a plain consumer that only reads and decodes the same events (the reference), both in one run on this machine.
# Usage: bench/analytics-bench.sh [events] [partitions]   (defaults 1000000 and 3). Talks to 127.0.0.1 only.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/gateway" --source-only
run_bench io.eventgate.bench.AnalyticsThroughput "$@"
