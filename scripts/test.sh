#!/usr/bin/env bash
# The whole test run: unit, integration on SQLite and PostgreSQL, and browser tests in
# headless Chromium. Starts its own throwaway PostgreSQL cluster and removes it after.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/ensure-tools.sh
scripts/ensure-test-deps.sh

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
PG_ROOT=$(mktemp -d /tmp/digiparat-pg.XXXXXX)
AS_PG=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$PG_ROOT"
  AS_PG=(runuser -u postgres --)
fi
CLUSTERS=()
cleanup() {
  for dir in "${CLUSTERS[@]}"; do
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$dir" -m immediate stop >/dev/null 2>&1 || true
  done
  rm -rf "$PG_ROOT"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_cluster NAME PORT: a throwaway cluster on loopback, trust auth, no fsync.
start_cluster() {
  local dir="$PG_ROOT/$1"
  "${AS_PG[@]}" "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  # Settings go into the config file so that a plain `pg_ctl start` restores them.
  "${AS_PG[@]}" tee -a "$dir/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $2
unix_socket_directories = '$PG_ROOT'
fsync = off
max_connections = 300
CONF
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$dir" -l "$PG_ROOT/$1.log" -w start >/dev/null
  CLUSTERS+=("$dir")
}

PG_PORT=$(free_port)
echo "==> starting throwaway PostgreSQL clusters"
start_cluster main "$PG_PORT"
export DIGIPARAT_TEST_PG="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
# A second cluster that one test stops and starts to prove /healthz reports an outage.
OUTAGE_PORT=$(free_port)
start_cluster outage "$OUTAGE_PORT"
export DIGIPARAT_TEST_PG_OUTAGE="postgres://postgres@127.0.0.1:$OUTAGE_PORT/postgres"
export DIGIPARAT_TEST_PG_OUTAGE_CTL="${AS_PG[*]} $PG_BIN/pg_ctl -D $PG_ROOT/outage"

echo "==> building the site (release)"
cargo leptos build --release

echo "==> running the tests"
# Leptos reads some of these at compile time: set them as cargo-leptos does for its
# build, so the test build reuses the release artifacts instead of rebuilding them.
export LEPTOS_OUTPUT_NAME=digiparat LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
  LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=. LEPTOS_BIN_DIR=. \
  LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=false
cargo test --release --no-default-features --features ssr -- --test-threads 4
