#!/usr/bin/env bash
# Throwaway Redis and PostgreSQL servers for flowrun's tests and demo, bound to 127.0.0.1 only, with
# everything they write under <repo>/.local/services/. See `scripts/services.sh --help`.
#
# Layout of .local/services/:
#   lock                        serializes concurrent start/stop calls (flock)
#   redis.port, postgres.port   the ports chosen on first start, reused afterwards
#   redis/                      redis-server's working directory (no persistence: nothing is saved)
#   redis.pid, redis.log
#   pg-data/                    the PostgreSQL cluster (owned by the `postgres` user when run as root)
#   pg-socket/                  its Unix socket directory
#   postgres.log, initdb.log
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
SELF=scripts/services.sh
REDIS_DEFAULT_PORT=16379
PG_DEFAULT_PORT=15432
REDIS_WAIT_SECONDS=10
PG_WAIT_SECONDS=60

usage() {
    cat <<EOF
Usage: $SELF COMMAND

Throwaway Redis and PostgreSQL for flowrun, on 127.0.0.1, with their data, logs, sockets and pid files
under .local/services/ in the repository. Only servers started by this script are ever stopped.

Commands:
  start            install missing Debian packages (scripts/setup.sh), then start both servers, or
                   reuse them if already running; prints REDIS_URL=... and POSTGRES_URL=... last
  env              print 'export REDIS_URL=...' and 'export POSTGRES_URL=...' for the running servers
  status           show what runs, on which port, with which pid
  stop             stop both servers (and wait until they have exited)
  start-redis      start only Redis, on its recorded port        stop-redis      stop only Redis
  start-postgres   start only PostgreSQL, same port and data     stop-postgres   stop only PostgreSQL
  -h, --help       this text

Ports: 16379 (Redis) and 15432 (PostgreSQL) unless taken by another program, in which case \`start\`
picks free ones. The choice is recorded and reused by later calls.

Example:
  $SELF start
  eval "\$($SELF env)"
  redis-cli -u "\$REDIS_URL" ping
  psql "\$POSTGRES_URL" -c 'select 1'
  $SELF stop
EOF
}

say() { printf 'services: %s\n' "$*" >&2; }
die() {
    printf 'services: error: %s\n' "$*" >&2
    exit 1
}
is_root() { [[ $(id -u) -eq 0 ]]; }

set_paths() {
    DIR=$1
    REDIS_DIR=$DIR/redis
    REDIS_PIDFILE=$DIR/redis.pid
    REDIS_LOG=$DIR/redis.log
    REDIS_PORTFILE=$DIR/redis.port
    PG_DATA=$DIR/pg-data
    PG_SOCKET=$DIR/pg-socket
    PG_LOG=$DIR/postgres.log
    PG_PORTFILE=$DIR/postgres.port
}
# FLOWRUN_SERVICES_DIR (relative to the repository, default .local/services) holds another set of servers:
# the integration tests start a second PostgreSQL there (FLOWRUN_TIMESCALEDB=0, without TimescaleDB).
SERVICES_DIR=${FLOWRUN_SERVICES_DIR:-.local/services}
[[ $SERVICES_DIR == /* ]] || SERVICES_DIR=$ROOT/$SERVICES_DIR
# Canonical path (the checks below compare it with /proc/<pid>/cwd), even if .local is a symlink.
if [[ -d $SERVICES_DIR ]]; then
    set_paths "$(cd -- "$SERVICES_DIR" && pwd -P)"
else
    set_paths "$SERVICES_DIR"
fi

# Stale pid files are removed only by commands that hold the lock (start*/stop*), never by status/env,
# which could otherwise race with a server that is just starting.
CLEAN_STALE=0

take_lock() {
    mkdir -p "$DIR"
    set_paths "$(cd -- "$DIR" && pwd -P)"
    exec 9>"$DIR/lock"
    flock -w 300 9 || die "another '$SELF' has held $DIR/lock for 5 minutes; is it stuck?"
    CLEAN_STALE=1
}

# --- processes -----------------------------------------------------------------------------------

# True if the process exists and is not a zombie (a zombie is as good as gone: in containers whose
# PID 1 does not reap, it would otherwise never disappear).
alive() {
    local pid=$1 stat state
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || return 1
    state=${stat##*) }
    state=${state%% *}
    [[ -n $state && $state != Z && $state != X ]]
}

# proc_is PID COMM DIR: 0 if PID is a live COMM process working in DIR (redis-server and postgres both
# chdir into their directory, so this tells ours apart from any other instance), 1 if not,
# 2 if we may not look (a process of another user).
proc_is() {
    local pid=$1 comm=$2 dir=$3 c cwd
    alive "$pid" || return 1
    { read -r c <"/proc/$pid/comm"; } 2>/dev/null || return 1
    [[ $c == "$comm" ]] || return 1
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || return 2
    [[ $cwd == "$dir" ]]
}

# wait_gone PID SECONDS
wait_gone() {
    local pid=$1 i
    for ((i = 0; i < $2 * 10; i++)); do
        alive "$pid" || return 0
        sleep 0.1
    done
    ! alive "$pid"
}

cannot_check() {
    die "cannot inspect process $1 (it belongs to another user); run $SELF as the same user that started the services (root in CI)"
}

# Sets REDIS_PID to our running redis-server and succeeds, or fails.
find_redis() {
    REDIS_PID=
    local pid rc=0 p c
    if [[ -f $REDIS_PIDFILE ]]; then
        pid=$(head -n 1 "$REDIS_PIDFILE" 2>/dev/null | tr -dc 0-9)
        proc_is "$pid" redis-server "$REDIS_DIR" || rc=$?
        case $rc in
        0)
            REDIS_PID=$pid
            return 0
            ;;
        2) cannot_check "$pid" ;;
        *)
            if ((CLEAN_STALE)); then
                say "redis: removing stale pid file (process ${pid:-?} is gone or not ours)"
                rm -f "$REDIS_PIDFILE"
            fi
            ;;
        esac
    fi
    # No (valid) pid file: look for a redis-server of ours anyway, so that a lost pid file neither hides
    # a running server from `stop` nor makes `start` start a second one.
    for p in /proc/[0-9]*; do
        { read -r c <"$p/comm"; } 2>/dev/null || continue
        [[ $c == redis-server ]] || continue
        if proc_is "${p#/proc/}" redis-server "$REDIS_DIR"; then
            REDIS_PID=${p#/proc/}
            return 0
        fi
    done
    return 1
}

# Sets PG_PID and PG_RUN_PORT for our running postmaster and succeeds, or fails.
find_pg() {
    PG_PID='' PG_RUN_PORT=''
    local f=$PG_DATA/postmaster.pid pid rc=0
    [[ -f $f ]] || return 1
    pid=$(sed -n 1p "$f" 2>/dev/null | tr -dc 0-9)
    proc_is "$pid" postgres "$PG_DATA" || rc=$?
    case $rc in
    0)
        PG_PID=$pid
        PG_RUN_PORT=$(sed -n 4p "$f" | tr -dc 0-9)
        return 0
        ;;
    2) cannot_check "$pid" ;;
    *)
        if ((CLEAN_STALE)); then
            say "postgres: removing stale $f (process ${pid:-?} is gone or not ours)"
            rm -f "$f"
        fi
        return 1
        ;;
    esac
}

# --- ports ---------------------------------------------------------------------------------------

HAVE_PYTHON=
have_python() {
    if [[ -z $HAVE_PYTHON ]]; then
        if command -v python3 >/dev/null 2>&1 && python3 -c '' >/dev/null 2>&1; then
            HAVE_PYTHON=1
        else
            HAVE_PYTHON=0
        fi
    fi
    ((HAVE_PYTHON))
}

# True if nothing listens on 127.0.0.1:PORT and we could bind it.
port_free() {
    local port=$1
    [[ $port =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || return 1
    # Something accepts connections there? ($1 is expanded by the inner bash.)
    # shellcheck disable=SC2016
    if timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null; then
        return 1
    fi
    if have_python; then
        python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
' "$port" 2>/dev/null || return 1
    fi
    return 0
}

# choose_port NAME PORTFILE DEFAULT MODE: sets PORT. MODE auto: the recorded port (else DEFAULT) if
# free, else another free one; MODE strict: the recorded port or fail (restarts keep their URL).
choose_port() {
    local name=$1 portfile=$2 default=$3 mode=$4 want p
    want=$default
    if [[ -s $portfile ]]; then
        p=$(tr -dc 0-9 <"$portfile")
        [[ -n $p ]] && want=$p
    fi
    if port_free "$want"; then
        PORT=$want
        return
    fi
    if [[ $mode == strict && -s $portfile ]]; then
        die "$name: its port $want is now taken by another program, so it cannot restart on the same URL. Free the port, or run '$SELF stop' and '$SELF start' to pick a new one."
    fi
    say "$name: port $want is taken by another program; picking another free port"
    for ((p = default + 1; p <= default + 100; p++)); do
        if port_free "$p"; then
            PORT=$p
            return
        fi
    done
    if have_python; then
        p=$(python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
')
        if port_free "$p"; then
            PORT=$p
            return
        fi
    fi
    die "$name: no free TCP port found on 127.0.0.1 near $default"
}

# --- setup ---------------------------------------------------------------------------------------

run_setup() {
    # fd 9 (our lock) must not leak into daemons that package scripts may start.
    "$ROOT/scripts/setup.sh" </dev/null >&2 9>&- || die "scripts/setup.sh failed (see above)"
}

need() {
    command -v "$1" >/dev/null 2>&1 || die "$1 not found; run scripts/setup.sh (it installs $2)"
}

# --- Redis ---------------------------------------------------------------------------------------

# Sets REDIS_RUN_PORT for the running redis-server (found by find_redis).
redis_port() {
    REDIS_RUN_PORT=
    [[ -s $REDIS_PORTFILE ]] && REDIS_RUN_PORT=$(tr -dc 0-9 <"$REDIS_PORTFILE")
    [[ -n $REDIS_RUN_PORT ]] ||
        die "redis: runs (pid $REDIS_PID) but $REDIS_PORTFILE is missing; run '$SELF stop' then '$SELF start'"
}

redis_ping() {
    [[ $(env -u REDISCLI_AUTH redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]
}

redis_failed() {
    say "redis: $1; last lines of $REDIS_LOG:"
    tail -n 20 "$REDIS_LOG" >&2 2>/dev/null || true
    exit 1
}

start_redis() {
    local mode=$1 port i
    need redis-server redis-server
    need redis-cli redis-tools
    if find_redis; then
        redis_port
        port=$REDIS_RUN_PORT
        redis_ping "$port" || die "redis: our redis-server (pid $REDIS_PID) does not answer PING on port $port; see $REDIS_LOG, or run '$SELF stop' and start again"
        say "redis: already running (pid $REDIS_PID, port $port)"
        REDIS_URL=redis://127.0.0.1:$port
        return
    fi
    choose_port redis "$REDIS_PORTFILE" "$REDIS_DEFAULT_PORT" "$mode"
    port=$PORT
    mkdir -p "$REDIS_DIR"
    printf '%s\n' "$port" >"$REDIS_PORTFILE"
    rm -f "$REDIS_PIDFILE"
    say "redis: starting on 127.0.0.1:$port"
    # Errors before redis-server opens its log file (bad arguments) go to the same log.
    # shellcheck disable=SC2094
    redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes \
        --save '' --appendonly no \
        --daemonize yes --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" --dir "$REDIS_DIR" \
        </dev/null >>"$REDIS_LOG" 2>&1 9>&- ||
        redis_failed "redis-server failed to start"
    for ((i = 0; i < REDIS_WAIT_SECONDS * 10; i++)); do
        if redis_ping "$port" && find_redis; then
            say "redis: running (pid $REDIS_PID, port $port)"
            REDIS_URL=redis://127.0.0.1:$port
            return
        fi
        sleep 0.1
    done
    redis_failed "no PONG on 127.0.0.1:$port after ${REDIS_WAIT_SECONDS}s"
}

stop_redis() {
    local n=0
    while find_redis; do
        ((++n <= 5)) || die "redis: still running after 5 stop attempts (pid $REDIS_PID)"
        say "redis: stopping pid $REDIS_PID"
        kill -TERM "$REDIS_PID" 2>/dev/null || true
        if ! wait_gone "$REDIS_PID" 15; then
            say "redis: pid $REDIS_PID still running after 15s; sending SIGKILL"
            kill -KILL "$REDIS_PID" 2>/dev/null || true
            wait_gone "$REDIS_PID" 5 || die "redis: pid $REDIS_PID survived SIGKILL"
        fi
        rm -f "$REDIS_PIDFILE"
        say "redis: stopped"
    done
    ((n > 0)) || say "redis: not running"
}

# --- PostgreSQL ----------------------------------------------------------------------------------

# Runs a PostgreSQL server program (PostgreSQL refuses to run as root: as root, as the `postgres`
# user), from / so that an unreadable working directory does not bother it.
as_pg() {
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# Sets PG_BIN: the version that created pg-data, else the newest installed server.
find_pg_bin() {
    local v=
    if [[ -f $PG_DATA/PG_VERSION ]]; then
        v=$(tr -dc 0-9 <"$PG_DATA/PG_VERSION")
        [[ -x /usr/lib/postgresql/$v/bin/pg_ctl ]] ||
            die "postgres: $PG_DATA was created by PostgreSQL $v, which is no longer installed. It holds throwaway data only: run '$SELF stop', 'rm -rf $PG_DATA', then '$SELF start'."
    else
        v=$(for d in /usr/lib/postgresql/*/bin/initdb; do
            [[ -x $d ]] && basename "$(dirname "$(dirname "$d")")"
        done | grep -E '^[0-9]+$' | sort -n | tail -n 1 || true)
        [[ -n $v ]] || die "postgres: no PostgreSQL server found under /usr/lib/postgresql/*/bin; run scripts/setup.sh (it installs postgresql)"
    fi
    PG_BIN=/usr/lib/postgresql/$v/bin
}

pg_failed() {
    say "postgres: $1; last lines of $2:"
    tail -n 30 "$2" >&2 2>/dev/null || true
    exit 1
}

# The postgres user must be able to reach and write our directories.
prepare_pg_dirs() {
    mkdir -p "$PG_SOCKET"
    touch "$PG_LOG"
    if is_root; then
        id postgres >/dev/null 2>&1 ||
            die "postgres: the 'postgres' system user does not exist; run scripts/setup.sh (the postgresql package creates it)"
        chmod a+x "$ROOT/.local" "$DIR"
        chown postgres:postgres "$PG_SOCKET" "$PG_LOG"
        chmod 755 "$PG_SOCKET"
        if ! runuser -u postgres -- test -w "$PG_SOCKET" -a -w "$PG_LOG"; then
            die "postgres: the 'postgres' user cannot reach $DIR. PostgreSQL refuses to run as root, so it runs as 'postgres', which needs execute permission (chmod o+x) on every parent directory of $ROOT; or clone the repository somewhere else (e.g. under /work or /opt)."
        fi
    fi
}

init_pg() {
    local locale=C
    [[ -f $PG_DATA/PG_VERSION ]] && return
    if [[ -e $PG_DATA ]]; then
        say "postgres: removing incomplete $PG_DATA"
        rm -rf "$PG_DATA"
    fi
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        locale=C.UTF-8
    fi
    mkdir -m 700 "$PG_DATA"
    if is_root; then chown postgres:postgres "$PG_DATA"; fi
    say "postgres: creating a cluster in $PG_DATA (locale $locale)"
    if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale="$locale" \
        >"$DIR/initdb.log" 2>&1 9>&-; then
        rm -rf "$PG_DATA"
        pg_failed "initdb failed" "$DIR/initdb.log"
    fi
    # Our settings live in flowrun.conf, rewritten on every start (the port may change).
    printf "\n# Added by %s: settings for flowrun's throwaway server.\ninclude_if_exists = 'flowrun.conf'\n" \
        "$SELF" >>"$PG_DATA/postgresql.conf"
}

write_pg_conf() {
    local port=$1 sockets=$PG_SOCKET
    # A Unix socket path may hold at most 107 bytes; with a deep checkout, go TCP only.
    if ((${#PG_SOCKET} + ${#port} + 11 > 107)); then
        say "postgres: $PG_SOCKET is too long for a Unix socket; listening on TCP only"
        sockets=
    fi
    cat >"$PG_DATA/flowrun.conf" <<EOF
# Written by $SELF on every start: edits here are overwritten.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '${sockets//\'/\'\'}'
# Throwaway data: trade durability for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
    # TimescaleDB must be preloaded before any database creates the extension (migration 0006).
    local version
    version=$(basename "$(dirname "$PG_BIN")")
    if [[ ${FLOWRUN_TIMESCALEDB:-1} == 0 ]]; then
        say "postgres: without TimescaleDB (FLOWRUN_TIMESCALEDB=0): positions will be a plain table"
    elif [[ -f /usr/share/postgresql/$version/extension/timescaledb.control ]]; then
        printf "%s\n" "# TimescaleDB, installed by scripts/setup.sh: positions is a hypertable." \
            "shared_preload_libraries = 'timescaledb'" >>"$PG_DATA/flowrun.conf"
    else
        say "postgres: notice: TimescaleDB is not installed (scripts/setup.sh installs it): positions will be a plain table"
    fi
    if is_root; then chown postgres:postgres "$PG_DATA/flowrun.conf"; fi
}

pg_sql() {
    "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 \
        "host=127.0.0.1 port=$1 user=postgres dbname=postgres sslmode=disable connect_timeout=10" -c "$2"
}

ensure_pg_db() {
    local port=$1
    pg_sql "$port" "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'flowrun') THEN
            CREATE ROLE flowrun LOGIN SUPERUSER;
        END IF;
    END \$\$;" || die "postgres: could not create the role flowrun (see above)"
    if [[ $(pg_sql "$port" "SELECT 1 FROM pg_database WHERE datname = 'flowrun'") != 1 ]]; then
        say "postgres: creating database flowrun"
        pg_sql "$port" "CREATE DATABASE flowrun OWNER flowrun" || die "postgres: could not create the database flowrun (see above)"
    fi
}

start_postgres() {
    local mode=$1 port
    find_pg_bin
    if find_pg; then
        port=$PG_RUN_PORT
        say "postgres: already running (pid $PG_PID, port $port)"
    else
        prepare_pg_dirs
        init_pg
        choose_port postgres "$PG_PORTFILE" "$PG_DEFAULT_PORT" "$mode"
        port=$PORT
        printf '%s\n' "$port" >"$PG_PORTFILE"
        write_pg_conf "$port"
        say "postgres: starting PostgreSQL $(basename "$(dirname "$PG_BIN")") on 127.0.0.1:$port"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$PG_WAIT_SECONDS" start </dev/null >&2 9>&- ||
            pg_failed "pg_ctl start failed" "$PG_LOG"
        find_pg || pg_failed "pg_ctl reported success, but no postmaster of ours is running" "$PG_LOG"
        port=$PG_RUN_PORT
        say "postgres: running (pid $PG_PID, port $port)"
    fi
    ensure_pg_db "$port"
    if [[ ${FLOWRUN_TIMESCALEDB:-1} != 0 && -f /usr/share/postgresql/$(basename "$(dirname "$PG_BIN")")/extension/timescaledb.control ]] &&
        [[ $(pg_sql "$port" "SHOW shared_preload_libraries") != *timescaledb* ]]; then
        say "postgres: notice: this server was started before TimescaleDB was installed and runs without it; restart it to preload it: $SELF stop-postgres && $SELF start-postgres"
    fi
    POSTGRES_URL=postgresql://flowrun@127.0.0.1:$port/flowrun
}

stop_postgres() {
    local pid
    if ! find_pg; then
        say "postgres: not running"
        return
    fi
    pid=$PG_PID
    find_pg_bin
    say "postgres: stopping pid $pid"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop </dev/null >&2 9>&-; then
        say "postgres: fast shutdown failed; trying immediate shutdown"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop </dev/null >&2 9>&- ||
            die "postgres: could not stop pid $pid; see $PG_LOG"
    fi
    wait_gone "$pid" 10 || die "postgres: pid $pid still running after pg_ctl stop; see $PG_LOG"
    say "postgres: stopped"
}

# --- commands ------------------------------------------------------------------------------------

print_urls() {
    printf 'REDIS_URL=%s\nPOSTGRES_URL=%s\n' "$REDIS_URL" "$POSTGRES_URL"
}

cmd_env() {
    find_redis || die "redis is not running; start the services with: $SELF start"
    find_pg || die "postgres is not running; start the services with: $SELF start"
    redis_port
    printf 'export REDIS_URL=redis://127.0.0.1:%s\n' "$REDIS_RUN_PORT"
    printf 'export POSTGRES_URL=postgresql://flowrun@127.0.0.1:%s/flowrun\n' "$PG_RUN_PORT"
}

cmd_status() {
    local p=
    if find_redis; then
        redis_port
        echo "redis:    running, pid $REDIS_PID, port $REDIS_RUN_PORT, redis://127.0.0.1:$REDIS_RUN_PORT"
    else
        [[ -s $REDIS_PORTFILE ]] && p=" (port $(tr -dc 0-9 <"$REDIS_PORTFILE") when running)"
        echo "redis:    stopped$p"
    fi
    p=
    if find_pg; then
        echo "postgres: running, pid $PG_PID, port $PG_RUN_PORT, postgresql://flowrun@127.0.0.1:$PG_RUN_PORT/flowrun"
    else
        [[ -s $PG_PORTFILE ]] && p=" (port $(tr -dc 0-9 <"$PG_PORTFILE") when running)"
        echo "postgres: stopped$p"
    fi
    echo "files:    $DIR"
}

case ${1:-} in
start)
    take_lock
    run_setup
    start_redis auto
    start_postgres auto
    print_urls
    ;;
start-redis)
    take_lock
    run_setup
    start_redis strict
    printf 'REDIS_URL=%s\n' "$REDIS_URL"
    ;;
start-postgres)
    take_lock
    run_setup
    start_postgres strict
    printf 'POSTGRES_URL=%s\n' "$POSTGRES_URL"
    ;;
stop)
    take_lock
    stop_redis
    stop_postgres
    ;;
stop-redis)
    take_lock
    stop_redis
    ;;
stop-postgres)
    take_lock
    stop_postgres
    ;;
env) cmd_env ;;
status) cmd_status ;;
-h | --help | help) usage ;;
"")
    usage >&2
    exit 2
    ;;
*)
    say "unknown command: $1"
    usage >&2
    exit 2
    ;;
esac
