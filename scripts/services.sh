#!/usr/bin/env bash
# Throwaway PostgreSQL 15 and nats-server (JetStream) for the integration tests: no systemd, no
# fixed ports, everything under one state directory that `stop` removes.
#
# Usage: scripts/services.sh start|stop|env [DIR]
#   start  starts both (or, when this DIR already runs a healthy set, reuses it) and prints
#          `export NAME=value` lines on stdout, so `eval "$(scripts/services.sh start)"` works
#   env    prints the export lines of the set running in DIR; fails when none runs
#   stop   stops the set in DIR and removes DIR
# DIR: the argument, else $SENTINEL_SERVICES_DIR, else ${TMPDIR:-/tmp}/sentinel-services.
# Only the export lines go to stdout; every message goes to stderr.
set -euo pipefail
shopt -s inherit_errexit   # keep -e inside $(...) too

readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly MARKER=.sentinel-services   # proves a directory is ours before `rm -rf`
readonly START_ATTEMPTS=5            # fresh ports per attempt, for the rare port collision
readonly READY_TIMEOUT_S=30
readonly STOP_TIMEOUT_S=15

say() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

usage() {
  printf 'usage: %s start|stop|env [DIR]\n' "${0##*/}" >&2
  exit 2
}

# Prints N distinct free loopback ports. Binding port 0 lets the kernel choose; holding all N
# sockets until they are printed keeps the N ports distinct from each other.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# True while PID runs. A server started from a script that has since exited is reparented, and
# lingers as a zombie after it dies until something reaps it; `kill -0` succeeds on a zombie, so
# read the state letter from /proc instead.
alive() {
  local pid=$1 stat state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  state=${stat##*) }   # the command name in parentheses may itself hold spaces
  state=${state%% *}
  [[ $state != Z && $state != X ]]
}

# True when PID runs the program NAME (guards against signalling a recycled PID).
is_program() {
  local pid=$1 name=$2 comm
  alive "$pid" || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ $comm == "$name" ]]
}

# wait_until SECONDS CMD...: polls CMD until it succeeds; fails once SECONDS have passed.
wait_until() {
  local timeout=$1 deadline
  shift
  deadline=$(( ${EPOCHREALTIME//[!0-9]/} + timeout * 1000000 ))
  until "$@"; do
    (( ${EPOCHREALTIME//[!0-9]/} < deadline )) || return 1
    sleep 0.02
  done
}

# initdb and pg_ctl refuse to run as root: run them as the postgres user then. From / because
# postgres may not be allowed into the caller's working directory.
as_pg() {
  if (( EUID == 0 )); then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

# nats-server writes its pid file without a newline, so `read` reports EOF yet fills the line.
read_first_line() {
  local line=
  if [[ -r $1 ]]; then IFS= read -r line <"$1" || true; fi
  printf '%s' "$line"
}

log_tail() { [[ -r $1 ]] && tail -n 15 "$1" | sed 's/^/    /' >&2; return 0; }

port_in_use() { [[ -r $1 ]] && grep -qi 'address already in use' "$1"; }

resolve_dir() {
  local dir=${1:-${SENTINEL_SERVICES_DIR:-${TMPDIR:-/tmp}/sentinel-services}}
  dir=$(realpath -m -- "$dir")
  # The path ends up inside pg_ctl's -o string, which a shell splits; keep it to plain characters
  # rather than quoting through two shells.
  [[ $dir =~ ^[[:alnum:]/._+-]+$ ]] || die "state directory '$dir' must not contain spaces or quotes"
  [[ $dir != / ]] || die "refusing / as the state directory"
  printf '%s' "$dir"
}

pg_data() { printf '%s/pg/data' "$1"; }
pg_pid() { read_first_line "$(pg_data "$1")/postmaster.pid"; }
nats_pid() { read_first_line "$1/nats/nats.pid"; }

# Reads the ports back from the env file written by start.
env_value() {
  local file=$1/env name=$2
  [[ -r $file ]] || return 0
  sed -n "s/^export ${name}=//p" "$file"
}

healthy() {
  local dir=$1 pg_port nats_mon
  [[ -r $dir/env ]] || return 1
  is_program "$(pg_pid "$dir")" postgres || return 1
  is_program "$(nats_pid "$dir")" nats-server || return 1
  pg_port=$(env_value "$dir" SENTINEL_TEST_PG_PORT)
  nats_mon=$(env_value "$dir" SENTINEL_TEST_NATS_MONITOR_URL)
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$pg_port" -t 2 || return 1
  curl -fsS --max-time 2 "$nats_mon/healthz?js-enabled-only=true" >/dev/null 2>&1
}

init_pg() {
  local dir=$1 data
  data=$(pg_data "$dir")
  mkdir -p "$dir/pg"
  if (( EUID == 0 )); then
    chown postgres: "$dir/pg"
    as_pg test -w "$dir/pg" ||
      die "the postgres user cannot write $dir/pg; use a DIR whose parents are world-searchable"
  fi
  say "initdb $data"
  as_pg "$PG_BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale -N \
    >"$dir/pg/initdb.log" 2>&1 || { log_tail "$dir/pg/initdb.log"; die "initdb failed"; }
}

# Starts the cluster on a fresh port; returns 3 when the port was taken so the caller retries.
start_pg_once() {
  local dir=$1 port=$2 data log
  data=$(pg_data "$dir")
  log=$dir/pg/postgres.log
  : >"$log"
  (( EUID != 0 )) || chown postgres: "$log"
  # fsync and friends off: the data is thrown away, and tests run several times faster.
  if ! as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t "$READY_TIMEOUT_S" \
      -o "-p $port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >"$dir/pg/pg_ctl.log" 2>&1; then
    port_in_use "$log" && return 3
    log_tail "$log"
    return 1
  fi
  wait_until "$READY_TIMEOUT_S" "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 ||
    { log_tail "$log"; return 1; }
}

stop_pg() {
  local dir=$1 pid
  pid=$(pg_pid "$dir")
  is_program "$pid" postgres || return 0
  say "stopping postgres (pid $pid)"
  as_pg "$PG_BIN/pg_ctl" -D "$(pg_data "$dir")" -m fast -w -t "$STOP_TIMEOUT_S" stop >/dev/null ||
    say "pg_ctl stop failed; see $dir/pg/postgres.log"
  wait_gone "$pid" postgres
}

nats_ready() {
  local pid=$1 mon_port=$2
  alive "$pid" || return 0   # ends the wait early; the caller tells death from readiness
  curl -fsS --max-time 1 "http://127.0.0.1:$mon_port/healthz?js-enabled-only=true" >/dev/null 2>&1
}

# Starts nats-server on fresh ports; returns 3 when a port was taken so the caller retries.
start_nats_once() {
  local dir=$1 port=$2 mon_port=$3 log pid
  log=$dir/nats/nats.log
  mkdir -p "$dir/nats/jetstream"
  rm -f "$dir/nats/nats.pid"
  : >"$log"
  # setsid: the server outlives this script and must not get the Ctrl-C meant for a later
  # foreground job. All three standard streams are redirected, or `eval "$(... start)"` would
  # wait for the server to close the pipe. This shell is no group leader, so setsid execs in
  # place and $! is the server itself.
  setsid nats-server -a 127.0.0.1 -p "$port" -m "$mon_port" -js -sd "$dir/nats/jetstream" \
    -P "$dir/nats/nats.pid" </dev/null >>"$log" 2>&1 &
  pid=$!
  if ! wait_until "$READY_TIMEOUT_S" nats_ready "$pid" "$mon_port" || ! alive "$pid"; then
    port_in_use "$log" && { wait "$pid" 2>/dev/null || true; return 3; }
    kill "$pid" 2>/dev/null || true
    log_tail "$log"
    return 1
  fi
  # The pid file is what `stop` trusts later; it is written before the monitor port opens.
  [[ $(nats_pid "$dir") == "$pid" ]] || { log_tail "$log"; return 1; }
}

stop_nats() {
  local dir=$1 pid
  pid=$(nats_pid "$dir")
  is_program "$pid" nats-server || return 0
  say "stopping nats-server (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  wait_gone "$pid" nats-server
}

gone() { ! alive "$1"; }

# Waits for PID to end (zombies count as ended); SIGKILL after STOP_TIMEOUT_S.
wait_gone() {
  local pid=$1 name=$2
  wait_until "$STOP_TIMEOUT_S" gone "$pid" && return 0
  say "$name (pid $pid) still runs after ${STOP_TIMEOUT_S}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  wait_until 5 gone "$pid" || die "$name (pid $pid) does not go away"
}

# retry_with_fresh_ports NAME FUNCTION DIR PORTCOUNT: runs FUNCTION DIR PORT... with fresh ports
# until it does not report a port collision (exit 3); prints the ports that worked.
retry_with_fresh_ports() {
  local name=$1 fn=$2 dir=$3 count=$4 attempt rc ports
  for (( attempt = 1; attempt <= START_ATTEMPTS; attempt++ )); do
    read -r -a ports <<<"$(free_ports "$count")"
    say "starting $name on 127.0.0.1:${ports[*]}"
    rc=0
    "$fn" "$dir" "${ports[@]}" || rc=$?
    case $rc in
      0) printf '%s\n' "${ports[*]}"; return 0 ;;
      3) say "$name: port taken meanwhile, retrying with fresh ports" ;;
      *) return 1 ;;
    esac
  done
  say "$name: ports kept colliding after $START_ATTEMPTS attempts"
  return 1
}

write_env() {
  local dir=$1 pg_port=$2 nats_port=$3 nats_mon=$4
  {
    printf 'export SENTINEL_SERVICES_DIR=%s\n' "$dir"
    printf 'export SENTINEL_TEST_PG_DSN=postgresql://postgres@127.0.0.1:%s/postgres\n' "$pg_port"
    printf 'export SENTINEL_TEST_PG_PORT=%s\n' "$pg_port"
    printf 'export SENTINEL_TEST_PG_PID=%s\n' "$(pg_pid "$dir")"
    printf 'export SENTINEL_TEST_NATS_URL=nats://127.0.0.1:%s\n' "$nats_port"
    printf 'export SENTINEL_TEST_NATS_MONITOR_URL=http://127.0.0.1:%s\n' "$nats_mon"
    printf 'export SENTINEL_TEST_NATS_PID=%s\n' "$(nats_pid "$dir")"
  } >"$dir/env.tmp"
  mv "$dir/env.tmp" "$dir/env"   # `env`/`start` in another shell never see half a file
}

# Stops whatever still runs from DIR, using the servers' own pid files (they exist even when a
# crashed start never wrote the env file), then removes DIR.
teardown() {
  local dir=$1
  [[ -d $dir ]] || return 0
  if [[ ! -e $dir/$MARKER ]]; then
    [[ -z $(ls -A "$dir") ]] || die "$dir is not a services directory (no $MARKER); not touching it"
  fi
  stop_nats "$dir"
  stop_pg "$dir"
  rm -rf -- "$dir"
}

cmd_start() {
  local dir=$1
  if [[ -d $dir ]]; then
    if [[ -e $dir/$MARKER ]] && healthy "$dir"; then
      say "already running in $dir"
      cat "$dir/env"
      return
    fi
    [[ ! -e $dir/$MARKER && -n $(ls -A "$dir") ]] &&
      die "$dir exists and is not a services directory (no $MARKER); not touching it"
    say "cleaning stale state in $dir"
    teardown "$dir"
  fi

  mkdir -p "$dir"
  chmod 0755 "$dir"   # the postgres user must traverse it
  touch "$dir/$MARKER"
  # A start that fails half way must not leave a server running that nobody knows about.
  trap 'say "start failed; cleaning up"; teardown "'"$dir"'"' EXIT

  init_pg "$dir"
  local pg_port nats_ports
  pg_port=$(retry_with_fresh_ports postgres start_pg_once "$dir" 1) || die "postgres did not start"
  nats_ports=$(retry_with_fresh_ports nats-server start_nats_once "$dir" 2) ||
    die "nats-server did not start"
  # shellcheck disable=SC2086  # two words on purpose: client port, monitor port
  write_env "$dir" "$pg_port" $nats_ports
  trap - EXIT

  say "ready: postgres pid $(pg_pid "$dir"), nats-server pid $(nats_pid "$dir"); state in $dir"
  cat "$dir/env"
}

cmd_env() {
  local dir=$1
  healthy "$dir" || die "no healthy services in $dir (run: ${0##*/} start)"
  cat "$dir/env"
}

cmd_stop() {
  local dir=$1
  if [[ ! -d $dir ]]; then
    say "nothing to stop in $dir"
    return
  fi
  teardown "$dir"
  say "stopped; removed $dir"
}

main() {
  (( $# >= 1 && $# <= 2 )) || usage
  local cmd=$1 dir
  dir=$(resolve_dir "${2:-}")
  case $cmd in
    start) cmd_start "$dir" ;;
    stop) cmd_stop "$dir" ;;
    env) cmd_env "$dir" ;;
    *) usage ;;
  esac
}

main "$@"
