#!/usr/bin/env bash
# Dashboard latency at a given number of synthetic cases: seeds a throwaway database with
# `digiparat seed-demo`, signs in as the administrator (who may view statistics) and times
# 30 sequential GET /dashboard and /dashboard/items requests (all charts, no filter) and
# 30 with a team and period filter, with curl, beside /healthz as the baseline of the same
# run; the same for the management views (overrides, fairness, agreement, calibration). Prints p50/p90. ROWS=0 stops there. Then downloads /dashboard/rows.csv (every
# assessment) three times and prints its time, size and the server's peak memory before
# and after (VmHWM), which shows whether the export's memory stays flat.
# Usage: benches/load/dashboard.sh CASES [DATABASE_URL]   (default: a new SQLite file;
# a PostgreSQL URL should name an empty database). SEEDED=1 with a DATABASE_URL measures
# a database seeded before, without adding to it.
# Needs a release build (make run builds one). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
CASES=${1:-1000}
DATA=$(mktemp -d)
export DATABASE_URL=${2:-sqlite://$DATA/bench.db}
export DIGIPARAT_DATA_DIR="$DATA" DIGIPARAT_LOG=warn LEPTOS_SITE_ROOT=target/site
export DIGIPARAT_ADMIN_PASSWORD=bench-admin-password
if [ "${SEEDED:-0}" != 1 ]; then
  start=$(date +%s.%N)
  target/release/digiparat seed-demo --cases "$CASES"
  echo "seeded in $(echo "$(date +%s.%N) - $start" | bc) s"
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
DIGIPARAT_ADDR="127.0.0.1:$PORT" target/release/digiparat >/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
JAR="$DATA/cookies"
login() { curl -s -o /dev/null -c "$JAR" -H "Sec-Fetch-Site: same-origin" -X POST -d "username=admin&password=$1" "$BASE/auth/login"; }
login "$DIGIPARAT_ADMIN_PASSWORD"
# A configured password is a one-time password: replace it, then sign in again.
curl -s -o /dev/null -b "$JAR" -H "Sec-Fetch-Site: same-origin" -X POST \
  -d "current=$DIGIPARAT_ADMIN_PASSWORD&new=bench-admin-password-2&confirm=bench-admin-password-2" "$BASE/auth/password"
login bench-admin-password-2 || login "$DIGIPARAT_ADMIN_PASSWORD"
# p50/p90 of 30 sequential requests of a path.
timed() {
  curl -s -o /dev/null -b "$JAR" "$BASE$1" # warm-up
  for _ in $(seq 30); do
    curl -s -o /dev/null -b "$JAR" -w '%{time_total}\n' "$BASE$1"
  done | sort -n | awk -v q="$1" '{t[NR]=$1} END {printf "%s: p50 %.1f ms, p90 %.1f ms over %d requests\n", q, t[int(NR*0.5)]*1000, t[int(NR*0.9)]*1000, NR}'
}
# The baseline of the same run: a page with no database work.
timed "/healthz"
for query in "" "?team=2&from=2026-Q1&until=2026-Q2"; do
  timed "/dashboard$query"
done
for query in "" "?team=2&from=2026-Q1&until=2026-Q2"; do
  timed "/dashboard/items$query"
done
# The management views (override analysis, fairness, self versus observed, calibration).
timed "/dashboard/overrides"
timed "/dashboard/overrides?team=2&from=2026-Q1&until=2026-Q2"
timed "/dashboard/fairness"
timed "/dashboard/fairness?from=2026-Q1&until=2026-Q2"
timed "/dashboard/agreement"
timed "/dashboard/agreement?from=2026-Q1&until=2026-Q2"
timed "/dashboard/calibration"
if [ "${ROWS:-1}" = 0 ]; then exit 0; fi
# Heap, not file pages: SQLite maps its file, and mapped pages count in RSS.
anon() { awk '/RssAnon/ {print int($2/1024)}' "/proc/$SERVER/status"; }
# The rows file is a permission of its own: the administrator (account 1) grants it.
curl -s -o /dev/null -b "$JAR" -H "Sec-Fetch-Site: same-origin" -X POST \
  -d "display_name=Administrator&role=admin&team=&rows=yes" "$BASE/admin/users/1"
echo "server anonymous memory before the export: $(anon) MB"
for _ in 1 2 3; do
  curl -s -o "$DATA/rows.csv" -b "$JAR" -H "Sec-Fetch-Site: same-origin" -X POST \
    -d "year=&purpose=Benchmark of the rows export" \
    -w 'rows.csv: %{time_total} s, %{size_download} bytes\n' "$BASE/dashboard/rows.csv" &
  CURL=$!
  peak=0
  while kill -0 $CURL 2>/dev/null; do m=$(anon); [ "$m" -gt "$peak" ] && peak=$m; sleep 0.05; done
  wait $CURL
  echo "  server anonymous memory peak during the export: $peak MB"
done
echo "rows.csv lines: $(wc -l < "$DATA/rows.csv")"
