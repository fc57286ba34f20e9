#!/usr/bin/env bash
# PostgreSQL's grouped answer saves by themselves, the two ways side by side in one run:
# store_open_answers_each (migration 0020: a subtransaction and five statements per save)
# and store_open_answers (migration 0022: a few statements for the whole group). pgbench,
# CLIENTS connections (as many as an app instance's turns), each transaction one group of
# GROUP saves, as the app sends them: to GROUP recipients' assessments (one each,
# anonymous: no audit line), or all to one assessment (SPREAD=one: four items in turn,
# so an item comes back several times in a group). SECS seconds a run, ROUNDS rounds of
# both. Prints groups/s and saves/s for each. Needs PostgreSQL's server and pgbench
# (Debian's postgresql). A throwaway cluster on loopback, fsync off, as for all figures.
# Usage: benches/load/pg_group_saves.sh   (SECS=10 ROUNDS=2 CLIENTS=2 GROUP=32 SPREAD=many)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${SECS:-10}
ROUNDS=${ROUNDS:-2}
CLIENTS=${CLIENTS:-2}
GROUP=${GROUP:-32}
SPREAD=${SPREAD:-many}
ASSESSMENTS=10000

source scripts/pg-cluster.sh
PORT=$(free_port)
start_cluster groups "$PORT"
PSQL=("$PG_BIN/psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres postgres)
for f in migrations/postgres/*.sql; do "${PSQL[@]}" -f "$f" >/dev/null; done
"${PSQL[@]}" -c "INSERT INTO assessments (instrument, mode, language, started_at)
  SELECT 'dr-1', 'self', 'da', now() FROM generate_series(1, $ASSESSMENTS)"

if [ "$SPREAD" = one ]; then ID=":base"; else ID=":base + g"; fi
# script FUNCTION: one group of saves as a pgbench transaction.
script() {
  cat <<SQL
\set base random(1, $((ASSESSMENTS - GROUP)))
SELECT count(*) FROM $1(
  ARRAY(SELECT $ID FROM generate_series(0, $GROUP - 1) g)::BIGINT[],
  ARRAY(SELECT 'A' || (g % 4) FROM generate_series(0, $GROUP - 1) g),
  ARRAY(SELECT '"x' || g || '"' FROM generate_series(0, $GROUP - 1) g),
  ARRAY(SELECT 'recipient' FROM generate_series(1, $GROUP)),
  ARRAY(SELECT NULL::BIGINT FROM generate_series(1, $GROUP)),
  ARRAY(SELECT NULL::TEXT FROM generate_series(1, $GROUP)),
  ARRAY(SELECT NULL::TEXT FROM generate_series(1, $GROUP)),
  ARRAY(SELECT NULL::BIGINT FROM generate_series(1, $GROUP)),
  ARRAY(SELECT NULL::BIGINT FROM generate_series(1, $GROUP)),
  ARRAY(SELECT NULL::TEXT FROM generate_series(1, $GROUP)),
  ARRAY(SELECT NULL::TEXT FROM generate_series(1, $GROUP)));
SQL
}
WORK=$(mktemp -d)
script store_open_answers_each >"$WORK/script-each.sql"
script store_open_answers >"$WORK/script-set.sql"

echo "PostgreSQL group saves: $CLIENTS clients, groups of $GROUP, spread $SPREAD, ${SECS}s runs"
printf '%-6s %-28s %10s %10s %10s\n' round function groups/s saves/s "p99 ms"
for round in $(seq "$ROUNDS"); do
  for way in each set; do
    # The saves run quietly, as save_open_answers runs them (migration 0021).
    out=$(PGOPTIONS="-c digiparat.quiet=on" "$PG_BIN/pgbench" -n -h 127.0.0.1 -p "$PORT" \
      -U postgres -c "$CLIENTS" -j "$CLIENTS" -T "$SECS" -r -f "$WORK/script-$way.sql" \
      --log --log-prefix="$WORK/log-$way" postgres 2>&1)
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")
    # per-transaction latencies (µs, third field) of this run's log files
    p99=$(cat "$WORK/log-$way".* | awk '{print $3}' | sort -n \
      | awk '{v[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; printf "%.1f", v[i]/1000}')
    rm -f "$WORK/log-$way".*
    fn=store_open_answers
    [ "$way" = each ] && fn=store_open_answers_each
    printf '%-6s %-28s %10.0f %10.0f %10s\n' "$round" "$fn" \
      "$tps" "$(awk -v t="$tps" -v g="$GROUP" 'BEGIN{print t*g}')" "$p99"
  done
done
rm -rf "$WORK"
