#!/usr/bin/env bash
# Digiparat beside a bare axum server, in one run, on one machine: the question page
# (with its device cookie), the landing page, and answer saves (form posts answered with
# a redirect): 64 connections on one assessment (the worst case), then on 64 recipients.
# The bare server (benches/load/bare, built here from crates.io) sends
# the very bytes Digiparat sent for the same request, with TCP_NODELAY, and nothing else.
# Each pair runs back to back, ROUNDS times (wrk -t2 -c64, SECS seconds each), and the
# script prints requests/s, p50/p99 latency and Digiparat's share of the bare server.
# Usage: benches/load/side_by_side.sh [sqlite|postgres]   (postgres: a throwaway cluster)
# Needs a release build (make run builds one) and wrk. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
BACKEND=${1:-sqlite}
SECS=${SECS:-10}
ROUNDS=${ROUNDS:-2}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }

echo "==> building the bare axum server"
CARGO_TARGET_DIR=target/bench-bare cargo build --quiet --release \
  --manifest-path benches/load/bare/Cargo.toml
BARE_BIN=target/bench-bare/release/bare-axum

WORK=$(mktemp -d)
PIDS=()
cleanup_bench() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
# free_port and start_cluster (a cluster only when the backend is PostgreSQL).
source scripts/pg-cluster.sh
trap 'cleanup_bench; cleanup' EXIT
if [ "$BACKEND" = postgres ]; then
  PG_PORT=$(free_port)
  start_cluster bench "$PG_PORT"
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
else
  export DATABASE_URL="sqlite://$WORK/bench.db"
fi

PORT=$(free_port)
DIGIPARAT_DATA_DIR="$WORK" DIGIPARAT_ADDR="127.0.0.1:$PORT" DIGIPARAT_LOG=warn \
  LEPTOS_SITE_ROOT=target/site target/release/digiparat >"$WORK/server.log" 2>&1 &
PIDS+=($!)
APP="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$APP/healthz" >/dev/null && break; sleep 0.1; done

COOKIE=$(curl -s -o /dev/null -D - -H "Sec-Fetch-Site: same-origin" -X POST "$APP/self/start" \
  | sed -n 's/^set-cookie: \(dp_self=[^;]*\).*/\1/ip')
[ -n "$COOKIE" ] || { echo "no device cookie from /self/start"; exit 1; }
export DP_COOKIE="$COOKIE"
# 64 more recipients, one per connection, for the spread-out save figure.
COOKIES=""
for _ in $(seq 64); do
  COOKIES+="$(curl -s -o /dev/null -D - -H "Sec-Fetch-Site: same-origin" -X POST "$APP/self/start" \
    | sed -n 's/^set-cookie: \(dp_self=[^;]*\).*/\1/ip') "
done

# bare VAR GET_PATH: starts a bare server answering with what Digiparat sent for GET_PATH
# and sets VAR to its address.
bare() {
  local dir="$WORK/bare-$1"
  mkdir -p "$dir"
  curl -sf -H "Cookie: $COOKIE" "$APP$2" >"$dir/get.html"
  curl -s -o /dev/null -D - -H "Cookie: $COOKIE" -H "Sec-Fetch-Site: same-origin" \
    -d "item=A1&answer=phone_only" "$APP/self/answer" \
    | sed -n 's/^location: *\([^[:space:]]*\).*/\1/ip' >"$dir/post.location"
  local port
  port=$(free_port)
  "$BARE_BIN" "127.0.0.1:$port" "$dir" >"$dir/log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  printf -v "$1" "http://127.0.0.1:%s" "$port"
}

# load URL PATH [wrk args]: prints "requests/s p50 p99" (latencies in ms)
load() {
  local url=$1 path=$2
  shift 2
  wrk -t2 -c64 -d"${SECS}s" --latency "$@" "$url$path" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    /Non-2xx or 3xx/ { bad = $NF }
    END { if (bad > 0) { print "ERROR: " bad " non-2xx/3xx answers" > "/dev/stderr"; exit 1 }
          printf "%.0f %.2f %.2f\n", rps, p50, p99 }'
}

report() { # NAME APP_FIGURES BARE_FIGURES
  read -r a_rps a_p50 a_p99 <<<"$2"
  read -r b_rps b_p50 b_p99 <<<"$3"
  printf "%-22s %9s %8s %8s | %9s %8s %8s | %6.1f %%\n" "$1" "$a_rps" "$a_p50" "$a_p99" \
    "$b_rps" "$b_p50" "$b_p99" "$(echo "100 * $a_rps / $b_rps" | bc -l)"
}

bare QUESTION /self/q/A1
bare LANDING /
echo
echo "backend: $BACKEND; wrk -t2 -c64 -d${SECS}s; $(nproc) cores; $(date -u +%F)"
printf "%-22s %9s %8s %8s | %9s %8s %8s | %8s\n" "what" "req/s" "p50 ms" "p99 ms" \
  "bare req/s" "p50 ms" "p99 ms" "share"
for round in $(seq "$ROUNDS"); do
  report "question page ($round)" "$(load "$APP" /self/q/A1 -H "Cookie: $COOKIE")" \
    "$(load "$QUESTION" /self/q/A1 -H "Cookie: $COOKIE")"
  report "landing page ($round)" "$(load "$APP" /)" "$(load "$LANDING" /)"
  report "answer save ($round)" "$(load "$APP" / -s benches/load/answer_saves.lua)" \
    "$(load "$QUESTION" / -s benches/load/answer_saves.lua)"
  report "64 recipients save ($round)" \
    "$(DP_COOKIES="$COOKIES" load "$APP" / -s benches/load/answer_saves.lua)" \
    "$(DP_COOKIES="$COOKIES" load "$QUESTION" / -s benches/load/answer_saves.lua)"
done
