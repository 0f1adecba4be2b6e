#!/usr/bin/env bash
# Start a throwaway PostgreSQL on 127.0.0.1 (random free port, data in a temp dir) for the test suite.
#
#   source .ci/postgres.sh          # starts it, exports ROUTESMITH_TEST_PG_URL, stops it when the shell exits
#   .ci/postgres.sh start           # starts it and prints `export ROUTESMITH_TEST_PG_URL=...` (for eval)
#   .ci/postgres.sh stop [STATEDIR] # stops a server started with `start` (STATEDIR defaults to $RS_PG_DIR)
#
# PostgreSQL comes from the system packages: if no `initdb` is found, `apt-get install -y postgresql` runs.
# As root, the cluster is owned by the `postgres` user (created if missing), since initdb refuses to run as root.

_rs_pg_log() { echo "[postgres.sh] $*" >&2; }

_rs_pg_bindir() {
  local d
  # The directory that holds initdb, pg_ctl and createdb together (symlinks on PATH are followed).
  local cands=()
  if command -v initdb >/dev/null 2>&1; then cands+=("$(dirname "$(readlink -f "$(command -v initdb)")")"); fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin; do cands+=("$d"); done
  for d in "${cands[@]}"; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/createdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

_rs_pg_install() {
  _rs_pg_log "initdb not found: installing PostgreSQL from the system packages"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
      _rs_pg_log "not root and no sudo: install the 'postgresql' package first"; return 1; fi
  fi
  if command -v apt-get >/dev/null 2>&1; then
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
      $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
  else
    _rs_pg_log "no apt-get on this machine: install PostgreSQL (initdb, pg_ctl) with the system package manager"
    return 1
  fi
}

_rs_pg_free_port() {
  local py
  py="$(command -v python3 || command -v python)"
  "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

rs_pg_start() {
  local bindir owner dir port run
  bindir="$(_rs_pg_bindir)" || { _rs_pg_install && bindir="$(_rs_pg_bindir)"; } || {
    _rs_pg_log "PostgreSQL is not available"; return 1; }
  dir="$(mktemp -d "${TMPDIR:-/tmp}/routesmith-pg.XXXXXX")" || return 1
  run=()
  if [ "$(id -u)" = 0 ]; then
    owner=postgres
    if ! id "$owner" >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$owner" >&2 || return 1
    fi
    chown "$owner" "$dir"
    chmod 0700 "$dir"
    if command -v runuser >/dev/null 2>&1; then run=(runuser -u "$owner" --); else run=(su "$owner" -s /bin/sh -c); fi
  fi
  _rs_pg_run() {
    if [ "${run[0]:-}" = su ]; then "${run[@]}" "$(printf '%q ' "$@")"; else "${run[@]}" "$@"; fi
  }
  port="$(_rs_pg_free_port)" || return 1
  _rs_pg_run "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    _rs_pg_run "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
      _rs_pg_log "initdb failed:"; cat "$dir/initdb.log" >&2; return 1; }
  _rs_pg_run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2 || { _rs_pg_log "server failed to start:"; cat "$dir/server.log" >&2; return 1; }
  "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres routesmith_test || {
    _rs_pg_log "createdb failed"; return 1; }
  export RS_PG_DIR="$dir" RS_PG_BINDIR="$bindir" RS_PG_OWNER="${owner:-}"
  export ROUTESMITH_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/routesmith_test"
  _rs_pg_log "PostgreSQL running: $ROUTESMITH_TEST_PG_URL (data in $dir)"
}

rs_pg_stop() {
  local dir="${1:-${RS_PG_DIR:-}}" bindir owner
  [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
  bindir="${RS_PG_BINDIR:-$(_rs_pg_bindir)}"
  owner="$(stat -c %U "$dir/data" 2>/dev/null)"
  if [ "$(id -u)" = 0 ] && [ -n "$owner" ] && [ "$owner" != root ]; then
    runuser -u "$owner" -- "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  else
    "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  _rs_pg_log "PostgreSQL stopped"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # Sourced: start now and chain a stop onto any existing EXIT trap.
  if rs_pg_start; then
    _rs_pg_prev_trap="$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")"
    trap "rs_pg_stop '$RS_PG_DIR'; ${_rs_pg_prev_trap:-:}" EXIT
  else
    return 1
  fi
else
  set -euo pipefail
  case "${1:-start}" in
    start)
      rs_pg_start
      printf 'export ROUTESMITH_TEST_PG_URL=%q RS_PG_DIR=%q\n' "$ROUTESMITH_TEST_PG_URL" "$RS_PG_DIR" ;;
    stop) rs_pg_stop "${2:-}" ;;
    *) echo "usage: $0 [start|stop [STATEDIR]]" >&2; exit 2 ;;
  esac
fi
