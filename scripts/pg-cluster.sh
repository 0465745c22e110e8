# The one implementation of a throwaway PostgreSQL cluster (sourced, not run): scripts/with-postgres.sh (the test
# suite, crash.py and outage.py of tests/faults) and bench/lib.sh both start theirs through it.
#
#   pg_find_bin                  finds the server binaries (PG_BIN if set, else /usr/lib/postgresql/15/bin, else the
#                                newest /usr/lib/postgresql/*/bin); as root, installs postgresql-15 with apt-get when
#                                there are none. Exports XREF_PG_BIN.
#   pg_cluster_start DIR OPTS    pg_find_bin, then initdb into DIR/data and starts the cluster on 127.0.0.1 and a
#                                free port, socket in DIR, log in DIR/postgres.log; as root the folder is given to the postgres user and the
#                                tools run as that user (initdb and pg_ctl refuse root). DIR's parent must be
#                                traversable by that user. OPTS: server settings, "-c name=value -c name=value ..."
#                                (or --name=value; no spaces in a value). They are written to the cluster's
#                                postgresql.conf with the address, port and socket folder, so a caller that stops
#                                the cluster restarts it as it was with `pg_ctl -D "$XREF_PG_DATA" -l "$XREF_PG_LOG" -w start`.
#                                Exports XREF_PG_DATA, XREF_PG_LOG, XREF_PG_PORT, XREF_PG_USER, XREF_PG_URL
#                                (postgres://USER@127.0.0.1:PORT/postgres) and XREF_TEST_POSTGRES (the same, Npgsql format).
#   pg_cluster_stop              stops the cluster pg_cluster_start started, whatever state it is in (SIGCONT first in
#                                case a caller froze it, `pg_ctl stop -m immediate`, SIGKILL if that fails); a no-op
#                                when none was started. It does not remove DIR: the caller does.
#   pg_as_owner CMD...           runs CMD as the cluster's owner (the postgres user when root).
#
# The functions report on stderr and return non-zero on failure; they do not exit.

pg_as_owner() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_find_bin() {
  local bin=${PG_BIN:-} log
  if [[ -z "$bin" ]]; then
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then bin=/usr/lib/postgresql/15/bin
    else bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true); fi
    if [[ ( -z "$bin" || ! -x "$bin/initdb" ) && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      echo "pg-cluster: installing postgresql-15 with apt-get" >&2
      log=$(mktemp /tmp/xref-apt-postgresql.XXXXXX)
      if { DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15 \
           || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15; }; } >"$log" 2>&1; then
        rm -f "$log"
      else
        tail -n 20 "$log" >&2
        echo "pg-cluster: apt-get install postgresql-15 failed (log: $log)" >&2
        return 1
      fi
      bin=/usr/lib/postgresql/15/bin
    fi
  fi
  if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    echo "pg-cluster: PostgreSQL server binaries not found (${PG_BIN:+PG_BIN=$PG_BIN; }looked in /usr/lib/postgresql/*/bin); install postgresql-15" >&2
    return 1
  fi
  export XREF_PG_BIN=$bin
}

# Set by pg_cluster_start, read by pg_cluster_stop (not the exported copies, which a caller may have changed).
PG_CLUSTER_DATA="" PG_CLUSTER_BIN=""

pg_cluster_start() { # DIR OPTS
  local dir=$1 opts=${2:-} port user conf name value i
  local -a words
  pg_find_bin || return 1
  read -r -d '' -a words <<<"$opts" || true
  # The settings as postgresql.conf lines, checked before anything is created.
  conf="# Added by scripts/pg-cluster.sh (a later line wins over an earlier one)"$'\n'
  for ((i = 0; i < ${#words[@]}; i++)); do
    case ${words[i]} in
      -c) value=${words[i + 1]:-}; i=$((i + 1)) ;;
      -c*) value=${words[i]#-c} ;;
      --*=*) value=${words[i]#--} ;;
      *) value="" ;;
    esac
    if [[ "$value" != *=* || "${value%%=*}" == "" ]]; then
      echo "pg-cluster: cannot read the server settings \"$opts\" (expected -c name=value ...)" >&2
      return 1
    fi
    name=${value%%=*} value=${value#*=}
    conf+="${name//-/_} = '${value//\'/\'\'}'"$'\n'
  done
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if [[ $(id -u) -eq 0 ]]; then user=postgres; else user=$(id -un); fi
  # Last, so that no setting moves the cluster off loopback or off its port.
  conf+="listen_addresses = '127.0.0.1'"$'\n'"port = $port"$'\n'"unix_socket_directories = '$dir'"$'\n'

  PG_CLUSTER_BIN=$XREF_PG_BIN
  mkdir -p "$dir" || return 1
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$dir" || return 1; fi
  if ! pg_as_owner "$XREF_PG_BIN/initdb" -D "$dir/data" -U "$user" -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1; then
    tail -n 20 "$dir/initdb.log" >&2
    echo "pg-cluster: initdb failed" >&2
    return 1
  fi
  printf '\n%s' "$conf" >>"$dir/data/postgresql.conf" || return 1
  PG_CLUSTER_DATA=$dir/data
  if ! pg_as_owner "$XREF_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >"$dir/pg_ctl.log" 2>&1; then
    cat "$dir/pg_ctl.log" >&2
    tail -n 20 "$dir/postgres.log" >&2 2>/dev/null
    echo "pg-cluster: the cluster in $dir did not start" >&2
    return 1
  fi
  export XREF_PG_DATA=$dir/data XREF_PG_LOG=$dir/postgres.log XREF_PG_PORT=$port XREF_PG_USER=$user
  export XREF_PG_URL="postgres://$user@127.0.0.1:$port/postgres"
  export XREF_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=$user;Database=postgres"
}

pg_cluster_stop() {
  local data=$PG_CLUSTER_DATA master pids
  [[ -n "$data" && -f "$data/postmaster.pid" ]] || return 0
  master=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
  if [[ "$master" =~ ^[0-9]+$ ]] && kill -0 "$master" 2>/dev/null; then
    pids="$master $(pgrep -P "$master" | tr '\n' ' ' || true)"
    # shellcheck disable=SC2086
    kill -CONT $pids 2>/dev/null || true
    if ! pg_as_owner "$PG_CLUSTER_BIN/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1; then
      pids="$master $(pgrep -P "$master" | tr '\n' ' ' || true)"
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
    fi
  fi
  return 0
}
