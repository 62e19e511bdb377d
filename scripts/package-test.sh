#!/usr/bin/env bash
# Builds the .deb as docs/deploy.md says (Release, prefix /usr, cpack), installs
# it with apt on this machine, checks what it put in place and its units
# (systemd-analyze verify), runs ll2d.service's and ll2d-sync.service's
# command lines as systemd would (EnvironmentFile, then ExecStart as User=ll2d)
# on a small generated and imported world on a free loopback port, asks the
# server over HTTP, then purges the package.
# For throw-away machines (CI runs it as root after the main suite): it
# refuses to run where ll2d is installed already. The Release build is the
# bulk of its time (about 3.5 min of CPU); the rest takes about 20 s.
# The settings file is sourced, and its variables are used through eval:
# shellcheck disable=SC1091,SC2034
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "package-test: needs root (apt install, a system user)" >&2
  exit 77
fi
if dpkg-query -W -f='${Status}' ll2d 2>/dev/null | grep -q "ok installed" ||
  [ -e /var/lib/ll2d ] || getent passwd ll2d >/dev/null; then
  echo "package-test: ll2d is installed here already (package, /var/lib/ll2d or user); left alone" >&2
  exit 1
fi
BUILD=${BUILD:-build-package}
UNITS=/usr/lib/systemd/system
started=$SECONDS
fail() {
  echo "package-test: FAILED: $*" >&2
  exit 1
}

echo "== build the .deb"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DLL2D_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target ll2d
rm -f "$BUILD"/ll2d_*.deb
(cd "$BUILD" && cpack -G DEB >/dev/null)
version=$(sed -n 's/^project(ll2d VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
deb="$BUILD/ll2d_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || fail "cpack made no $deb"
echo "built $deb in $((SECONDS - started)) s"

work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  rm -rf "$work"
  if dpkg-query -W -f='${Status}' ll2d 2>/dev/null | grep -q installed; then
    apt-get purge -y -qq ll2d >/dev/null || true
  fi
  rm -rf /var/lib/ll2d
  if getent passwd ll2d >/dev/null; then deluser --system --quiet ll2d 2>/dev/null || true; fi
  if getent group ll2d >/dev/null; then delgroup --system --quiet ll2d 2>/dev/null || true; fi
}
trap cleanup EXIT

echo "== apt install"
apt-get install -y -qq "./$deb" >/dev/null
[ -x /usr/bin/ll2d ] || fail "no /usr/bin/ll2d"
for unit in ll2d.service ll2d-sync.service ll2d-sync.timer; do
  [ -f "$UNITS/$unit" ] || fail "no $UNITS/$unit"
done
[ "$(stat -c '%U:%G %a' /var/lib/ll2d)" = "ll2d:ll2d 750" ] || fail "/var/lib/ll2d: $(stat -c '%U:%G %a' /var/lib/ll2d)"
[ "$(stat -c '%a' /etc/default/ll2d)" = 600 ] || fail "/etc/default/ll2d is not mode 600"
[ "$(getent passwd ll2d | cut -d: -f6)" = /var/lib/ll2d ] || fail "the ll2d user's home"
depends=$(dpkg-query -W -f='${Depends}' ll2d)
echo "Depends: $depends"
for lib in adduser libsqlite3-0 libpq5 libcurl4 libcmark libjemalloc2; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib"
done
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify "$UNITS/ll2d.service" "$UNITS/ll2d-sync.service" "$UNITS/ll2d-sync.timer"
  echo "systemd-analyze verify: ok"
else
  echo "systemd-analyze not installed: units not verified"
fi

echo "== a small world, generated and imported as ll2d"
runuser -u ll2d -- ll2d generate --events 20 --seed 7 --out /var/lib/ll2d/world --quiet
runuser -u ll2d -- ll2d import --db /var/lib/ll2d/ll2.sqlite3 /var/lib/ll2d/world 2>"$work/import.err" ||
  fail "import: $(cat "$work/import.err")"

# A unit's ExecStart with its EnvironmentFile's variables, split as systemd
# splits `${VAR}` and `$VAR` (the values here hold no quotes). Its caller
# has the variables in its environment.
command_line() {
  local line
  line=$(sed -n 's/^ExecStart=//p' "$UNITS/$1")
  eval "COMMAND=($line)"
}

echo "== ll2d.service's command line, as ll2d, on a free port"
(
  set -a
  . /etc/default/ll2d
  set +a
  [[ $LL2D_SERVE_OPTS == *"--port 8000"* ]] || fail "the default settings do not serve on port 8000"
  LL2D_SERVE_OPTS=${LL2D_SERVE_OPTS/--port 8000/--port 0}
  command_line ll2d.service
  echo "${COMMAND[*]}"
  exec setpriv --reuid=ll2d --regid=ll2d --init-groups -- "${COMMAND[@]}"
) >"$work/serve.out" 2>"$work/serve.err" &
server=$!
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's#^ll2d: serving .* on http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$work/serve.out")
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || fail "serve exited: $(cat "$work/serve.err")"
  sleep 0.1
done
[ -n "$port" ] || fail "serve did not start: $(cat "$work/serve.err")"
head -1 "$work/serve.out"
base="http://127.0.0.1:$port"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")" = 200 ] || fail "/healthz"
curl -sf "$base/readyz" | grep -q '"ready"' || fail "/readyz: $(curl -s "$base/readyz")"
curl -sf "$base/2.3.0/docking_events/?limit=1" | grep -q '"count":20,' || fail "docking_events: not 20"
echo "/healthz, /readyz and /2.3.0/docking_events/ answer"

echo "== ll2d-sync.service's command line, mirroring that server"
(
  set -a
  . /etc/default/ll2d
  set +a
  LL2D_DB=/var/lib/ll2d/mirror.sqlite3
  LL2D_SYNC_UPSTREAM=$base
  LL2D_SYNC_OPTS="$LL2D_SYNC_OPTS --resources config/orbits"
  command_line ll2d-sync.service
  echo "${COMMAND[*]}"
  exec setpriv --reuid=ll2d --regid=ll2d --init-groups -- "${COMMAND[@]}"
) >"$work/sync.out" 2>"$work/sync.err" || fail "sync: $(cat "$work/sync.err")"
head -1 "$work/sync.out"
runuser -u ll2d -- ll2d check --db /var/lib/ll2d/mirror.sqlite3 | grep -q orbit || fail "the mirror holds no orbits"
echo "the mirror holds config/orbits"

kill -TERM "$server"
wait "$server" || fail "serve did not exit 0 on SIGTERM: $(tail -3 "$work/serve.err")"
server=""

echo "== apt purge"
apt-get purge -y -qq ll2d >/dev/null
for gone in /usr/bin/ll2d /etc/default/ll2d "$UNITS/ll2d.service" "$UNITS/ll2d-sync.timer"; do
  [ ! -e "$gone" ] || fail "$gone is left after the purge"
done
[ -f /var/lib/ll2d/ll2.sqlite3 ] || fail "the purge deleted the database (it must stay)"
echo "package-test: ok in $((SECONDS - started)) s"
