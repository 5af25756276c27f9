# A throw-away PostgreSQL server for the test suite and the benchmarks (sourced, not run).
# start_postgres [fsync=off|on] [shared_buffers] exports KEPT_TEST_POSTGRES_URL; stop_postgres
# removes it all. The tests run with fsync off (nothing there needs to survive a power cut) and
# PostgreSQL's small default cache; the benchmarks with fsync on, so that a commit costs what it
# costs in production, and a cache sized as a production server's would be.

start_postgres() {
  local fsync=${1:-off} shared_buffers=${2:-128MB} bin port
  bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
  pg_dir=$(mktemp -d /tmp/kept-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$pg_dir"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$pg_dir/data" -U postgres -A trust >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=$fsync -c shared_buffers=$shared_buffers -c max_connections=300" start >/dev/null
  pg_stop=("${as[@]}" "$bin/pg_ctl" -D "$pg_dir/data" -m immediate stop)
  export KEPT_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

stop_postgres() {
  if [ -n "${pg_dir:-}" ]; then
    "${pg_stop[@]}" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
