#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server: install it if missing, start it, export its URL, stop it after.
#   tests/with_postgres.sh python -m pytest
# Exports ORIGINSCAN_TEST_PG_URL (a superuser on 127.0.0.1) and ORIGINSCAN_TEST_PG_LOG (the server log, every
# statement logged). If ORIGINSCAN_TEST_PG_URL is already set, the command runs against that server instead.
set -euo pipefail

if [ -n "${ORIGINSCAN_TEST_PG_URL:-}" ]; then
  exec "$@"
fi

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bin=$(find_bin)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "with_postgres: PostgreSQL is not installed; installing the Debian package 'postgresql'" >&2
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "with_postgres: cannot install postgresql without root; install it or set ORIGINSCAN_TEST_PG_URL" >&2
    exit 1
  fi
  bin=$(find_bin)
fi

dir=$(mktemp -d /tmp/originscan-pg.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The server refuses to run as root: run it as the postgres user when we are root.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$dir"
  as_owner=(runuser -u postgres --)
fi

"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c log_statement=all -c log_line_prefix='%m [%p] %u@%d ' -c shared_preload_libraries=pg_stat_statements" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

stop() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT INT TERM

export ORIGINSCAN_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
export ORIGINSCAN_TEST_PG_LOG="$dir/server.log"
echo "with_postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $port" >&2
set +e
"$@"
status=$?
exit $status
