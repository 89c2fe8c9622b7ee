#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the tests (and for trying a shared store by hand).
#   scripts/postgres.sh start DIR PORT   installs PostgreSQL from apt when missing, initdb's DIR, starts it, prints the URL
#   scripts/postgres.sh stop DIR         stops it
# Trust authentication on 127.0.0.1 only: the cluster lives as long as the test run and holds nothing else.
set -euo pipefail
command=${1:?start|stop}
dir=${2:?data directory}

bin_dir() {
    for candidate in /usr/lib/postgresql/*/bin; do
        [ -x "$candidate/initdb" ] && { echo "$candidate"; return; }
    done
}

as_root=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then as_root="sudo"; fi

# initdb and postgres refuse to run as root: the cluster belongs to the `postgres` account Debian's package creates.
run_as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
start)
    port=${3:?port}
    bin=$(bin_dir || true)
    if [ -z "$bin" ]; then
        $as_root apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq postgresql >/dev/null
        bin=$(bin_dir)
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres; fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
        run_as_owner "$bin/initdb" -D "$dir" -U switchyard --auth=trust -E UTF8 --no-locale >/dev/null
    fi
    # fsync off: a crash of the test cluster loses nothing anyone needs, and it makes every commit cheaper.
    run_as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=300" start >/dev/null
    echo "postgres://switchyard@127.0.0.1:$port/postgres"
    ;;
stop)
    bin=$(bin_dir)
    [ -f "$dir/postmaster.pid" ] && run_as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    ;;
*)
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
