# Sourced by the compatibility scripts: `backend_db NAME FILE` prints the
# database ll2d should use, FILE on SQLite, or with LL2D_TEST_POSTGRES (the
# URL of a PostgreSQL server's maintenance database) a new database NAME on
# that server, so the same comparison runs against PostgreSQL.
backend_db() {
  if [ -z "${LL2D_TEST_POSTGRES:-}" ]; then echo "$2"; return; fi
  local name="$1_$$"
  PGOPTIONS="-c client_min_messages=warning" psql "$LL2D_TEST_POSTGRES" -qAt -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$name\"" \
    -c "CREATE DATABASE \"$name\"" >/dev/null
  echo "${LL2D_TEST_POSTGRES%/*}/$name"
}
