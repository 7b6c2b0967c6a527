#!/usr/bin/env bash
# Services the test suite needs: a throwaway PostgreSQL (with PostGIS when the packages exist).
#
# Called by .ci/run before `make test`. Installs the Debian packages when missing (root only),
# starts a private cluster on 127.0.0.1 (data under $GISPLANNER_PG_DIR, not the system
# cluster), creates a test role and database, and writes the SQLAlchemy URL to
# $GISPLANNER_PG_URL_FILE (default /tmp/gisplanner-pg-url), which tests/conftest.py reads.
# Idempotent: a second run reuses a running server. When PostgreSQL cannot be started this
# script says why and exits 0; the PostgreSQL tests then FAIL under CI=true with that reason.
set -uo pipefail

URL_FILE=${GISPLANNER_PG_URL_FILE:-/tmp/gisplanner-pg-url}
PGROOT=${GISPLANNER_PG_DIR:-/tmp/gisplanner-pg}
PORT=${GISPLANNER_PG_PORT:-55432}
ROLE=gisplanner
DB=gisplanner_test
DATA="$PGROOT/data"
LOG="$PGROOT/server.log"

say() { echo "services.sh: $*" >&2; }
give_up() { say "$*"; say "PostgreSQL tests will fail (CI) or skip (local)."; exit 0; }

rm -f "$URL_FILE"

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
has_postgis() { ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; }

# -- 1. packages -------------------------------------------------------------------------------
if [ -z "$(pg_bindir)" ] || ! has_postgis; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    say "installing PostgreSQL packages"
    apt-get update -qq >/dev/null || say "apt-get update failed"
    if [ -z "$(pg_bindir)" ]; then
      apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib >/dev/null \
        || say "could not install postgresql"
    fi
    BIN=$(pg_bindir)
    if [ -n "$BIN" ] && ! has_postgis; then
      ver=$(basename "$(dirname "$BIN")")
      pkg=$(apt-cache search --names-only "^postgresql-${ver}-postgis-[0-9]+$" | awk '{print $1}' | sort -V | tail -1)
      if [ -n "$pkg" ]; then
        apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null || say "could not install $pkg"
      else
        say "no PostGIS package for PostgreSQL $ver: plain PostgreSQL only"
      fi
    fi
  else
    say "not root or no apt-get: cannot install PostgreSQL packages"
  fi
fi
BIN=$(pg_bindir)
[ -n "$BIN" ] || give_up "PostgreSQL is not installed"

# -- 2. a private cluster, run as an unprivileged user -------------------------------------------
# PostgreSQL refuses to run as root: use the 'postgres' account the Debian package creates.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || give_up "no 'postgres' system user"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

mkdir -p "$PGROOT"
[ "$(id -u)" = 0 ] && chown postgres: "$PGROOT"
if [ ! -f "$DATA/PG_VERSION" ]; then
  # trust on 127.0.0.1 and the private socket only: a throwaway test server, no password stored anywhere
  as_pg "$BIN/initdb" -D "$DATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null \
    || as_pg "$BIN/initdb" -D "$DATA" -A trust -U postgres -E UTF8 --locale=C >/dev/null \
    || give_up "initdb failed"
fi
if ! as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGROOT -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null || { tail -20 "$LOG" >&2; give_up "the server did not start (log: $LOG)"; }
fi

psql_pg() { as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
for _ in $(seq 1 30); do psql_pg -d postgres -c "SELECT 1" >/dev/null 2>&1 && break; sleep 1; done
psql_pg -d postgres -c "SELECT 1" >/dev/null || give_up "cannot connect to the server on port $PORT"

# -- 3. role and database; PostGIS when the extension is there -----------------------------------
# Not a superuser, so row-level security and permissions are really tested; CREATEROLE for the
# per-test official roles.
if [ "$(psql_pg -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
  psql_pg -d postgres -c "CREATE ROLE $ROLE LOGIN CREATEDB CREATEROLE" || give_up "cannot create role"
fi
if [ "$(psql_pg -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
  psql_pg -d postgres -c "CREATE DATABASE $DB OWNER $ROLE" || give_up "cannot create database"
fi
if has_postgis; then
  psql_pg -d "$DB" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS postgis" || say "CREATE EXTENSION postgis failed: plain PostgreSQL"
fi

echo "postgresql+psycopg://$ROLE@127.0.0.1:$PORT/$DB" > "$URL_FILE"
chmod 644 "$URL_FILE"
say "PostgreSQL $(basename "$(dirname "$BIN")") on 127.0.0.1:$PORT, database $DB; URL in $URL_FILE"
