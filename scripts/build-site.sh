#!/usr/bin/env bash
# Builds the release server and the site it serves (target/site), with cargo and the
# pinned tools directly; cargo-leptos is needed only for `cargo leptos watch`.
#   1. the islands: the library for wasm32 (profile wasm-release: size-optimised, LTO);
#   2. wasm-bindgen (pinned to the wasm-bindgen crate in Cargo.lock) writes the JS glue;
#   3. wasm-opt -Oz from binaryen's prebuilt npm package (tools/, no compiling);
#   4. the stylesheet and public/ are copied; 5. the server binary (with the tests for
#      `make test`).
# The server needs nothing of 1-4, so it builds at the same time (its log goes to
# target/server-build.log), first in line for the cores: each build's one-crate stretches
# (the app crate, LTO, linking) leave a core idle that the other fills. The islands build
# in target/front, so that the two cargo runs do not wait for each other's lock on target/.
# Installs the pinned build tools if missing (scripts/ensure-tools.sh), wasm-bindgen-cli
# while the islands compile.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
source scripts/site-env.sh

PKG="$LEPTOS_SITE_ROOT/$LEPTOS_SITE_PKG_DIR"
FRONT=target/front
WASM_IN=$FRONT/wasm32-unknown-unknown/wasm-release/digiparat.wasm
SERVER_LOG=target/server-build.log

# `make test` (DIGIPARAT_WITH_TESTS=1) builds the server with the tests, in one cargo run:
# a test build unites the dev-dependencies' features with the app's, so its library is
# another artifact than the one `cargo build` makes, and building both compiled the app
# crate (about 10 minutes) once more. In one run the library and its unit tests also
# compile side by side. The server binary it leaves in target/release is the one served.
SERVER_BUILD=(cargo build --release --bin digiparat --no-default-features --features ssr)
if [ "${DIGIPARAT_WITH_TESTS:-0}" = 1 ]; then
  SERVER_BUILD=(cargo test --release --no-default-features --features ssr --no-run)
fi

mkdir -p target
echo "==> building the server (release) meanwhile, log in $SERVER_LOG"
"${SERVER_BUILD[@]}" >"$SERVER_LOG" 2>&1 &
SERVER=$!
TOOLS=""
trap 'kill "$SERVER" $TOOLS 2>/dev/null || true' EXIT
# The server's build is the longer chain (its dependencies, then the app crate alone on
# one core): the islands yield to it and fill the cores it leaves idle, and compiling
# wasm-bindgen-cli (needed only to bind the islands at the end) yields to both. With
# equal shares a fresh machine served its first page after 15 min 20 s (#15). Only what
# this script starts from here on is lowered; the server's build keeps its priority.
renice -n 10 $$ >/dev/null 2>&1 || true

scripts/ensure-tools.sh target wasm-opt
TOOLS_LOG=target/tools-install.log
nice -n 9 scripts/ensure-tools.sh wasm-bindgen >"$TOOLS_LOG" 2>&1 &
TOOLS=$!
echo "==> building the islands (WASM); wasm-bindgen-cli is checked meanwhile, log in $TOOLS_LOG"
CARGO_TARGET_DIR=$FRONT cargo build --lib --target wasm32-unknown-unknown \
  --profile wasm-release --no-default-features --features hydrate
if ! wait "$TOOLS"; then
  cat "$TOOLS_LOG"
  echo "installing wasm-bindgen-cli failed (log above, also in $TOOLS_LOG)" >&2
  exit 1
fi
TOOLS=""
mkdir -p "$PKG"
wasm-bindgen --target web --no-typescript --out-name digiparat --out-dir "$PKG" "$WASM_IN"
node tools/node_modules/binaryen/bin/wasm-opt -Oz --enable-bulk-memory \
  --enable-nontrapping-float-to-int "$PKG/digiparat_bg.wasm" -o "$PKG/digiparat.wasm"
rm -f "$PKG/digiparat_bg.wasm"
cp style/main.css "$PKG/digiparat.css"
cp -R public/. "$LEPTOS_SITE_ROOT/"

echo "==> waiting for the server build"
if ! wait "$SERVER"; then
  cat "$SERVER_LOG"
  echo "the server build failed (log above, also in $SERVER_LOG)" >&2
  exit 1
fi
trap - EXIT
tail -n 1 "$SERVER_LOG"
