#!/usr/bin/env bash
# Builds the release server and the site it serves (target/site), with cargo and the
# pinned tools directly; cargo-leptos is needed only for `cargo leptos watch`.
#   1. the islands: the library for wasm32 (profile wasm-release: size-optimised, LTO);
#   2. wasm-bindgen (pinned to the wasm-bindgen crate in Cargo.lock) writes the JS glue;
#   3. wasm-opt -Oz from binaryen's prebuilt npm package (tools/, no compiling);
#   4. the stylesheet and public/ are copied; 5. the server binary.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
source scripts/site-env.sh

PKG="$LEPTOS_SITE_ROOT/$LEPTOS_SITE_PKG_DIR"
WASM_IN=target/wasm32-unknown-unknown/wasm-release/digiparat.wasm

echo "==> building the islands (WASM)"
cargo build --lib --target wasm32-unknown-unknown --profile wasm-release \
  --no-default-features --features hydrate
mkdir -p "$PKG"
wasm-bindgen --target web --no-typescript --out-name digiparat --out-dir "$PKG" "$WASM_IN"
node tools/node_modules/binaryen/bin/wasm-opt -Oz --enable-bulk-memory \
  --enable-nontrapping-float-to-int "$PKG/digiparat_bg.wasm" -o "$PKG/digiparat.wasm"
rm -f "$PKG/digiparat_bg.wasm"
cp style/main.css "$PKG/digiparat.css"
cp -R public/. "$LEPTOS_SITE_ROOT/"

echo "==> building the server (release)"
cargo build --release --bin digiparat --no-default-features --features ssr
