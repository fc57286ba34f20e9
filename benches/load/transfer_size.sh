#!/usr/bin/env bash
# Transfer size of a questionnaire page (HTML + CSS, gzip) and of the WASM + JS (gzip).
set -euo pipefail
cd "$(dirname "$0")/../.."
source benches/load/serve.sh
JAR="$DATA/jar"
curl -s -c "$JAR" -o /dev/null -H "Sec-Fetch-Site: same-origin" -X POST "$BASE/self/start"
size() { curl -s -b "$JAR" -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$BASE$1"; }
gz() { gzip -9c "$1" | wc -c; }
html=$(size /self/q/A1); css=$(size /pkg/digiparat.css)
wasm=$(gz target/site/pkg/digiparat.wasm); js=$(gz target/site/pkg/digiparat.js)
echo "question page HTML (gzip, as served): $html B"
echo "CSS (gzip, as served): $css B"
echo "HTML + CSS: $((html + css)) B"
echo "WASM (gzip -9): $wasm B; JS (gzip -9): $js B; WASM + JS: $((wasm + js)) B"
