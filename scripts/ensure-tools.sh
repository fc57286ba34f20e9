#!/usr/bin/env bash
# Installs the pinned build tools that are missing: the wasm32 target, wasm-bindgen-cli
# (must equal the wasm-bindgen crate in Cargo.lock; compiled once, about 1.5 minutes) and
# binaryen's wasm-opt, prebuilt, from npm (tools/package-lock.json).
# Debian's binaryen is never used: its old wasm-opt silently breaks hydration.
# Usage: ensure-tools.sh [target] [wasm-bindgen] [wasm-opt]   (none named: all three)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.129

export PATH="$HOME/.cargo/bin:$PATH"

have() { # have TOOL VERSION: the tool is on PATH and prints that version
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"
}

wanted() { # wanted TOOL: named on the command line, or nothing was named
  [ "$NAMED" = "" ] || [[ " $NAMED " == *" $1 "* ]]
}
NAMED="$*"

if wanted target && ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  echo "==> adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if wanted wasm-bindgen && ! have wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  # Without its default features (TLS for downloading test runners, which the build does
  # not use) and unoptimised: it runs once per build for a few seconds, while compiling it
  # optimised took twice the CPU (#15: 158 s against 80 s on an idle 2-core machine).
  echo "==> installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 1.5 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked \
    --no-default-features --debug
fi
if wanted wasm-opt; then
  want=$(node -p "require('./tools/package.json').dependencies.binaryen")
  have=$(node -p "require('./tools/node_modules/binaryen/package.json').version" 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    echo "==> installing binaryen $want (wasm-opt, prebuilt) from npm"
    (cd tools && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
