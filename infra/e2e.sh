#!/usr/bin/env bash
# Browser tests through the real server, as a newcomer would run it: `chorus serve` with no
# DATABASE_URL (so it creates and later stops its own private PostgreSQL cluster) in a throwaway
# CHORUS_HOME, then Playwright drives Debian's Chromium against it. Finally SIGTERM must make the
# server exit 0 (graceful shutdown).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${CHORUS_BIN:-target/debug/chorus}
home=$(mktemp -d /tmp/chorus-e2e.XXXXXX)
chmod 755 "$home"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log="$home/server.log"

cleanup() {
  if [ -n "${pid:-}" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$home"
}
trap cleanup EXIT

# Loopback webhook targets are allowed so e2e/webhooks.spec.ts can register its own receiver on
# 127.0.0.1 (private ranges such as 10.0.0.0/8 stay refused).
env -u DATABASE_URL CHORUS_HOME="$home" CHORUS_LISTEN="127.0.0.1:$port" CHORUS_PUBLIC_URL="http://127.0.0.1:$port" \
  CHORUS_PORTAL_DIR="$PWD/portal/dist" CHORUS_WEBHOOKS_ALLOW_LOOPBACK=true RUST_LOG=info "$bin" serve >"$log" 2>&1 &
pid=$!

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "chorus serve died:"; cat "$log"; exit 1; fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { echo "chorus serve never became ready:"; cat "$log"; exit 1; }

status=0
# Arguments go to Playwright (e.g. `infra/e2e.sh webhooks` runs only that spec).
(cd portal && CHORUS_E2E_URL="http://127.0.0.1:$port" CHORUS_MAIL_DIR="$home/mail" npx playwright test "$@") || status=$?

kill -TERM "$pid"
exit_code=0
wait "$pid" || exit_code=$?
pid=
if [ "$exit_code" != 0 ]; then
  echo "chorus serve exited $exit_code after SIGTERM (expected 0):"; tail -50 "$log"; exit 1
fi
if [ "$status" != 0 ]; then
  echo "--- server log (tail) ---"; tail -80 "$log"
fi
exit "$status"
