#!/usr/bin/env bash
# Builds in release mode and serves the app; the SQLite database lives under ./data/
# and is reused on the next start. Set DIGIPARAT_ADDR or DATABASE_URL to change them.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/build-site.sh
source scripts/site-env.sh
exec target/release/digiparat "$@"
