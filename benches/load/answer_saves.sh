#!/usr/bin/env bash
# Answer saves per second against SQLite with 64 concurrent clients on loopback, and
# the latency distribution. Needs a release build (make run builds one) and wrk.
# Bounded: 10 seconds of load against 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
source benches/load/serve.sh
# One assessment per run; each request upserts one of its answers.
COOKIE=$(curl -s -o /dev/null -D - -H "Sec-Fetch-Site: same-origin" -X POST "$BASE/self/start" | sed -n 's/^set-cookie: \(dp_self=[^;]*\).*/\1/ip')
export DP_COOKIE="$COOKIE"
wrk -t2 -c64 -d10s --latency -s benches/load/answer_saves.lua "$BASE"
