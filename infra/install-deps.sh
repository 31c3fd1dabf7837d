#!/usr/bin/env bash
# Install what a fresh Debian machine lacks for `make run` / `make test`:
#   PostgreSQL server binaries (initdb, pg_ctl), Node.js + npm, the portal's node modules,
#   with --browser Debian's Chromium for the browser tests, and with --s3 moto's `moto_server`
#   (a local S3 for the media-store tests; pip, or a virtualenv in target/moto-venv where the
#   system Python refuses pip installs).
# Idempotent and quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
want_s3=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    --s3) want_s3=1 ;;
  esac
done

missing=()
have_pg_server() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}
have_pg_server || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "$want_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi
# Where the tests look for moto_server (tenants/src/testing/s3.rs): PATH, then this virtualenv.
moto_venv=target/moto-venv
have_moto() {
  command -v moto_server >/dev/null 2>&1 || [ -x "$moto_venv/bin/moto_server" ]
}
if [ "$want_s3" = 1 ] && ! have_moto; then
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  # The virtualenv fallback needs venv + ensurepip (Debian's python3-venv).
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing: ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
      echo "install these Debian packages first (as root): apt-get install ${missing[*]}" >&2
      exit 1
    fi
  else
    SUDO=
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node modules: install when missing or when the lock file changed since the last install.
if [ ! -d portal/node_modules ] || [ portal/package-lock.json -nt portal/node_modules/.package-lock.json ]; then
  echo "==> installing the portal's node modules"
  (cd portal && npm ci --no-audit --no-fund --loglevel=error)
fi

# moto_server: pip into the current Python when it allows that, else a private virtualenv.
if [ "$want_s3" = 1 ] && ! have_moto; then
  echo "==> installing moto_server (moto[server]), a local S3 for the media-store tests"
  python3 -m pip install --quiet --disable-pip-version-check 'moto[server]>=5' >/dev/null 2>&1 || true
  hash -r
  if ! have_moto; then
    python3 -m venv "$moto_venv"
    "$moto_venv/bin/python" -m pip install --quiet --disable-pip-version-check 'moto[server]>=5'
  fi
  if ! have_moto; then
    echo "moto_server is still missing after installing moto[server]; the S3 tests need it" >&2
    exit 1
  fi
fi
