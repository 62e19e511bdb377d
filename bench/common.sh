# Shared by the benchmark scripts (sourced): a free loopback port, ll2d
# serving a database, and nginx on a config of its own serving a directory.
# The caller sets ROOT, PY, WORK, THREADS, LL2D and the array PIDS
# (processes its exit trap kills).

free_port() { $PY -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# At exit: the processes in PIDS killed, and the throw-away PostgreSQL
# cluster in PG_DIR (scripts/pg-cluster.sh), if any, stopped and removed.
stop_started() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -z "${PG_DIR:-}" ] || "$ROOT/scripts/pg-cluster.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
}

# serve DB: ll2d on $PORT (pid SERVE_PID), returned once ready (list indexes
# built); its stderr in $WORK/serve.log.
serve() {
  PORT=$(free_port)
  "$LL2D" serve --db "$1" --port "$PORT" --no-access-log 2>"$WORK/serve.log" >/dev/null &
  PIDS+=($!)
  # shellcheck disable=SC2034  # the caller's
  SERVE_PID=$!
  for _ in $(seq 1 600); do
    grep -q "list indexes built" "$WORK/serve.log" 2>/dev/null && break
    sleep 0.1
  done
}

# start_nginx DIR: nginx serving DIR as JSON on $NGINX_PORT (pid NGINX_PID),
# returned once it answers.
start_nginx() {
  local dir=$1
  NGINX_PORT=$(free_port)
  mkdir -p "$WORK/nginx/tmp"
  cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes $THREADS;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
user root;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp;
  proxy_temp_path $WORK/nginx/tmp;
  fastcgi_temp_path $WORK/nginx/tmp;
  uwsgi_temp_path $WORK/nginx/tmp;
  scgi_temp_path $WORK/nginx/tmp;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $dir;
    default_type application/json;
    etag on;
  }
}
EOF
  nginx -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break; sleep 0.05; done
}
