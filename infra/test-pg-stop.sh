#!/usr/bin/env bash
# Stop the throwaway PostgreSQL cluster the Rust test harness starts (in target/chorus-test-pg)
# when no server was reachable. A no-op when the tests used an existing server.
set -u
cd "$(dirname "$0")/.."
data=target/chorus-test-pg/data
[ -f "$data/postmaster.pid" ] || exit 0
pg_ctl=$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)
[ -n "$pg_ctl" ] || exit 0
if [ "$(id -u)" = 0 ]; then
  runuser -u postgres -- "$pg_ctl" -D "$data" -m fast -w stop >/dev/null
else
  "$pg_ctl" -D "$data" -m fast -w stop >/dev/null
fi
echo "stopped the test PostgreSQL cluster in target/chorus-test-pg"
