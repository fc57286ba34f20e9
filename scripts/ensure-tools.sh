#!/usr/bin/env bash
# Installs the pinned build tools that are missing: the wasm32 target, cargo-leptos,
# wasm-bindgen-cli (must equal the wasm-bindgen crate in Cargo.lock) and wasm-opt.
# Debian's binaryen is never used: its old wasm-opt silently breaks hydration.
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.129
WASM_OPT_VERSION=0.116.1

export PATH="$HOME/.cargo/bin:$PATH"

have() { # have TOOL VERSION: the tool is on PATH and prints that version
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"
}

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  echo "==> adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if ! have wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  echo "==> installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked
fi
if ! have cargo-leptos "$CARGO_LEPTOS_VERSION"; then
  echo "==> installing cargo-leptos $CARGO_LEPTOS_VERSION (about 11 minutes)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi
if ! have wasm-opt "version 116"; then
  echo "==> installing wasm-opt $WASM_OPT_VERSION (about 5 minutes)"
  cargo install wasm-opt --version "$WASM_OPT_VERSION" --locked
fi
