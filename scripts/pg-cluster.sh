# Sourced by the test run and the load benchmarks: throwaway PostgreSQL clusters on
# loopback (trust auth, no fsync), removed when the sourcing script exits.
# Defines free_port and start_cluster NAME PORT.
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

