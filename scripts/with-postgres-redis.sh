#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL and Redis on loopback, then stop both.
#
#   scripts/with-postgres-redis.sh .venv/bin/python -m pytest
#
# Uses Debian's `postgresql` and `redis-server` packages (`make test-postgres` installs
# them). The cluster is initdb'd into a fresh temporary folder, listens on a free loopback
# port (its Unix socket in that folder), and is tuned for tests (fsync off: nothing here
# needs to survive a crash). Redis keeps nothing on disk. Whatever happens to the command,
# both servers are stopped and the folder removed; the command's exit status is returned.
# The command sees DATABASE_URL and REDIS_URL.
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ] || ! command -v redis-server >/dev/null; then
    echo "needs Debian's postgresql and redis-server (make test-postgres installs them)" >&2
    exit 2
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

workdir=$(mktemp -d "${TMPDIR:-/tmp}/kb-pg-redis.XXXXXX")
redis_pid=""
# PostgreSQL refuses to run as root: as root, run it as the `postgres` user the package made.
as_postgres=()
if [ "$(id -u)" = 0 ]; then
    chown postgres "$workdir"
    as_postgres=(runuser -u postgres --)
fi

cleanup() {
    status=$?
    trap - EXIT INT TERM
    if [ -f "$workdir/pg/postmaster.pid" ]; then
        "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$workdir/pg" -m fast -w stop >/dev/null || true
    fi
    if [ -n "$redis_pid" ]; then
        kill "$redis_pid" 2>/dev/null || true
        wait "$redis_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pg_port=$(free_port)
"${as_postgres[@]}" "$pg_bin/initdb" -D "$workdir/pg" -U kb --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$workdir/initdb.log"
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$workdir/pg" -l "$workdir/postgresql.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $workdir -c max_connections=300 \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U kb kb

redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
    --dir "$workdir" --logfile "$workdir/redis.log" &
redis_pid=$!
for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $redis_port), 0.2)" \
        2>/dev/null && break
    sleep 0.1
done

echo "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port (throwaway)"
export DATABASE_URL="postgres://kb@127.0.0.1:$pg_port/kb"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
"$@"
