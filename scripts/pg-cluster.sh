#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for tests and benchmarks, on loopback,
# with no system service involved.
#
#   eval "$(scripts/pg-cluster.sh start)"   # new cluster in a temp dir; prints exports:
#        LL2D_PG_DIR, LL2D_PG_PORT, LL2D_PG_URL (a database "ll2d" on it)
#   scripts/pg-cluster.sh createdb NAME     # a new empty database on $LL2D_PG_PORT; prints its URL
#   eval "$(scripts/pg-cluster.sh replica)" # a streaming replica of $LL2D_PG_DIR's cluster
#        (pg_basebackup); prints LL2D_PG_REPLICA_DIR, LL2D_PG_REPLICA_PORT, LL2D_PG_REPLICA_URL
#   scripts/pg-cluster.sh stop [DIR]        # stop the cluster in DIR (default $LL2D_PG_DIR)
#                                           # and its replica, and remove DIR
#   scripts/pg-cluster.sh pause|resume [replica]  # stop / start the primary (or the
#                                           # replica) in place, for failure tests
#
# Databases are UTF-8 with the C.UTF-8 locale. Durability is off (fsync,
# synchronous_commit): this is for tests, never for data that matters. As
# root, the servers run as the `postgres` user (initdb refuses root).
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$PGBIN/initdb" ] || { echo "pg-cluster.sh: no PostgreSQL server (apt-get install postgresql)" >&2; exit 2; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
}
# pg_stat_statements keeps 50,000 statements, not 5,000: the suite's tests,
# each with databases of its own, run side by side, and an entry one of them
# counts must not be evicted by the others' meanwhile.
start_server() {  # DATA_DIR PORT SOCKET_DIR LOG
  as_owner "$PGBIN/pg_ctl" -D "$1" -l "$4" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $2 -k $3 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.max=50000 -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on" \
    start >/dev/null
}
psql_admin() {  # PORT SQL...
  local port=$1; shift
  "$PGBIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 "$@"
}
new_dir() {
  local dir
  dir=$(mktemp -d /tmp/ll2d-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  echo "$dir"
}

case "${1:-}" in
start)
  DIR=$(new_dir)
  PORT=$(free_port)
  if ! as_owner timeout 120 "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust \
       --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1; then
    echo "pg-cluster.sh: initdb failed:" >&2; tail -20 "$DIR/initdb.log" >&2; rm -rf "$DIR"; exit 1
  fi
  echo "host replication all 127.0.0.1/32 trust" | as_owner tee -a "$DIR/data/pg_hba.conf" >/dev/null
  start_server "$DIR/data" "$PORT" "$DIR" "$DIR/server.log" ||
    { echo "pg-cluster.sh: start failed:" >&2; tail -20 "$DIR/server.log" >&2; rm -rf "$DIR"; exit 1; }
  psql_admin "$PORT" -c 'CREATE DATABASE ll2d'
  echo "# PostgreSQL $("$PGBIN/postgres" -V | awk '{print $3}') on 127.0.0.1:$PORT, dir $DIR" >&2
  echo "export LL2D_PG_DIR=$DIR LL2D_PG_PORT=$PORT LL2D_PG_URL=postgresql://postgres@127.0.0.1:$PORT/ll2d"
  ;;
createdb)
  NAME=${2:?usage: pg-cluster.sh createdb NAME}
  : "${LL2D_PG_PORT:?LL2D_PG_PORT not set (eval \"\$(scripts/pg-cluster.sh start)\" first)}"
  PGOPTIONS="-c client_min_messages=warning" psql_admin "$LL2D_PG_PORT" \
    -c "DROP DATABASE IF EXISTS \"$NAME\" WITH (FORCE)" -c "CREATE DATABASE \"$NAME\""
  echo "postgresql://postgres@127.0.0.1:$LL2D_PG_PORT/$NAME"
  ;;
replica)
  : "${LL2D_PG_DIR:?LL2D_PG_DIR not set}" "${LL2D_PG_PORT:?LL2D_PG_PORT not set}"
  RDIR="$LL2D_PG_DIR/replica"
  RPORT=$(free_port)
  as_owner mkdir -p "$RDIR"
  as_owner timeout 300 "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$LL2D_PG_PORT" -U postgres \
    -D "$RDIR/data" -R -X stream -c fast >/dev/null
  start_server "$RDIR/data" "$RPORT" "$RDIR" "$RDIR/server.log" ||
    { echo "pg-cluster.sh: replica start failed:" >&2; tail -20 "$RDIR/server.log" >&2; exit 1; }
  echo "# replica of 127.0.0.1:$LL2D_PG_PORT on 127.0.0.1:$RPORT" >&2
  echo "export LL2D_PG_REPLICA_DIR=$RDIR LL2D_PG_REPLICA_PORT=$RPORT LL2D_PG_REPLICA_URL=postgresql://postgres@127.0.0.1:$RPORT/ll2d"
  ;;
pause)
  D=${LL2D_PG_DIR:?}; [ "${2:-}" = replica ] && D=$D/replica
  as_owner "$PGBIN/pg_ctl" -D "$D/data" -m fast -w -t 60 stop >/dev/null
  ;;
resume)
  D=${LL2D_PG_DIR:?}; P=${LL2D_PG_PORT:?}
  [ "${2:-}" = replica ] && { D=$D/replica; P=${LL2D_PG_REPLICA_PORT:?}; }
  start_server "$D/data" "$P" "$D" "$D/server.log"
  ;;
stop)
  DIR=${2:-${LL2D_PG_DIR:-}}
  case "$DIR" in /tmp/ll2d-pg.*) ;; *) echo "pg-cluster.sh: refusing to remove '$DIR' (not made by start)" >&2; exit 2 ;; esac
  for d in "$DIR/replica/data" "$DIR/data"; do
    if [ -f "$d/postmaster.pid" ]; then
      as_owner "$PGBIN/pg_ctl" -D "$d" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$DIR"
  ;;
*)
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
