#!/usr/bin/env bash
# The whole test run: unit, integration on SQLite and PostgreSQL, and browser tests in
# headless Chromium. Starts its own throwaway PostgreSQL cluster and removes it after.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/ensure-test-deps.sh

source scripts/pg-cluster.sh

PG_PORT=$(free_port)
echo "==> starting throwaway PostgreSQL clusters"
start_cluster main "$PG_PORT"
export DIGIPARAT_TEST_PG="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
# A second cluster that one test stops and starts to prove /healthz reports an outage.
OUTAGE_PORT=$(free_port)
start_cluster outage "$OUTAGE_PORT"
export DIGIPARAT_TEST_PG_OUTAGE="postgres://postgres@127.0.0.1:$OUTAGE_PORT/postgres"
export DIGIPARAT_TEST_PG_OUTAGE_CTL="${AS_PG[*]} $PG_BIN/pg_ctl -D $PG_ROOT/outage"

# The site, and the server built together with the tests (see build-site.sh).
DIGIPARAT_WITH_TESTS=1 scripts/build-site.sh

echo "==> running the tests"
source scripts/site-env.sh
cargo test --release --no-default-features --features ssr -- --test-threads 4
