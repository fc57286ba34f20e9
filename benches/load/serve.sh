# Sourced by the load scripts: starts the release binary on a free loopback port with a
# throwaway data folder, sets BASE, and stops it when the script exits.
DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
DIGIPARAT_DATA_DIR="$DATA" DIGIPARAT_ADDR="127.0.0.1:$PORT" DIGIPARAT_LOG=warn LEPTOS_SITE_ROOT=target/site \
  target/release/digiparat >/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
