#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the tests.
#   postgres.sh start RUN_DIR   -> prints `export BERTH_TEST_POSTGRES=...` on stdout
#   postgres.sh stop RUN_DIR
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
action=$1 run_dir=$2
dir="$run_dir/postgres"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

case "$action" in
  start)
    [ -n "$bin" ] || die "PostgreSQL server binaries not found (package postgresql)"
    mkdir -p "$dir"
    chown postgres:postgres "$dir"
    port=$(free_port)
    runuser -u postgres -- "$bin/initdb" -D "$dir/data" -A trust -U berth >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" -w start >&2 \
      || { cat "$dir/server.log" >&2; die "PostgreSQL did not start"; }
    echo "export BERTH_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=berth;Database=postgres'"
    ;;
  stop)
    [ -d "$dir/data" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    ;;
  *) die "usage: $0 start|stop RUN_DIR" ;;
esac
