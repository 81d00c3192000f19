#!/usr/bin/env bash
# Run a command with throwaway PostgreSQL and MariaDB servers: install them if missing, start them, export their
# URLs, stop them after.
#   tests/with_databases.sh python -m pytest
# Exports ORIGINSCAN_TEST_PG_URL (a superuser on 127.0.0.1), ORIGINSCAN_TEST_PG_LOG (the server log, every
# statement logged) and ORIGINSCAN_TEST_MYSQL_URL (MariaDB, root on 127.0.0.1). If ORIGINSCAN_TEST_PG_URL is
# already set, the command runs against the servers the environment names instead.
set -euo pipefail

if [ -n "${ORIGINSCAN_TEST_PG_URL:-}" ]; then
  exec "$@"
fi

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

install() {
  echo "with_databases: $1 is not installed; installing the Debian package '$1'" >&2
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "with_databases: cannot install $1 without root; install it or set ORIGINSCAN_TEST_PG_URL" >&2
    exit 1
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bin=$(find_bin)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  install postgresql
  bin=$(find_bin)
fi
command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || install mariadb-server

dir=$(mktemp -d /tmp/originscan-pg.XXXXXX)
port=$(free_port)
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

my_pid=""
my_dir=$(mktemp -d /tmp/originscan-my.XXXXXX)
stop() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  [ -n "$my_pid" ] && kill "$my_pid" >/dev/null 2>&1 && wait "$my_pid" 2>/dev/null
  rm -rf "$dir" "$my_dir"
}
trap stop EXIT INT TERM

# MariaDB, for the MySQL connector's tests: its own data folder and port, no grant tables (tests need no users).
my_port=$(free_port)
my_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown mysql:mysql "$my_dir" && my_owner=(--user=mysql)
fi
mariadb-install-db "${my_owner[@]}" --datadir="$my_dir/data" --auth-root-authentication-method=normal \
  --skip-test-db >"$my_dir/install.log" 2>&1 || { cat "$my_dir/install.log" >&2; exit 1; }
/usr/sbin/mariadbd "${my_owner[@]}" --datadir="$my_dir/data" --socket="$my_dir/sock" --port="$my_port" \
  --bind-address=127.0.0.1 --pid-file="$my_dir/pid" --skip-grant-tables --skip-networking=0 \
  --log-error="$my_dir/error.log" >/dev/null 2>&1 &
my_pid=$!
for _ in $(seq 1 60); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $my_port), 1)" 2>/dev/null && break
  sleep 0.5
done
export ORIGINSCAN_TEST_MYSQL_URL="mysql+pymysql://root@127.0.0.1:$my_port/"

export ORIGINSCAN_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
export ORIGINSCAN_TEST_PG_LOG="$dir/server.log"
echo "with_databases: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $port, MariaDB on port $my_port" >&2
set +e
"$@"
status=$?
exit $status
