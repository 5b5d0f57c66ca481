#!/usr/bin/env bash
# Run a command (the test suite) against a throwaway PostgreSQL database:
#
#   scripts/test_postgres.sh pytest -x
#
# With TEST_DATABASE_URL set, that database is used as it is. Otherwise the local server is started
# if nothing answers on $PGPORT (default 5432) — installing Debian's postgresql if needed — and a
# role and a database with a random name are created for this run only; the command runs with
# TEST_DATABASE_URL pointing at them, and both are dropped afterwards (with every database whose
# name starts with the run's, such as the `_mig` and `_e2e` databases the tests create).
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGUMENT...]" >&2
  exit 2
fi

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "PostgreSQL: using TEST_DATABASE_URL from the environment"
  exec "$@"
fi

PORT="${PGPORT:-5432}"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# psql as the postgres OS user, over the local socket (peer authentication).
as_postgres() {
  if [ "$(id -un)" = postgres ]; then
    (cd / && "$@")
  elif [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && sudo -u postgres "$@")
  fi
}

psql_admin() {
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres "$@"
}

ensure_server() {
  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p "$PORT"; then
    return
  fi
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "PostgreSQL: installing Debian's postgresql"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  local cluster
  cluster="$(pg_lsclusters --no-header | awk -v port="$PORT" '$3 == port { print $1, $2; exit }')"
  if [ -z "$cluster" ]; then
    local version name=main
    version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    if [ -d "/etc/postgresql/$version/main" ]; then name=datakesos_test; fi
    echo "PostgreSQL: creating cluster $version/$name on port $PORT"
    as_root pg_createcluster --port "$PORT" "$version" "$name" >/dev/null
    cluster="$version $name"
  fi
  echo "PostgreSQL: starting cluster ${cluster/ //}"
  # shellcheck disable=SC2086  # "VERSION NAME" splits into two arguments on purpose
  as_root pg_ctlcluster --skip-systemctl-redirect $cluster start || true
  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$PORT" && return
    sleep 0.5
  done
  echo "PostgreSQL: the server on port $PORT does not answer" >&2
  exit 1
}

ensure_server

NAME="datakesos_test_$(date +%Y%m%d%H%M%S)_$$_${RANDOM}"
PASSWORD="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local databases
  databases="$(psql_admin -At -c \
    "SELECT datname FROM pg_database WHERE left(datname, length('$NAME')) = '$NAME'" 2>/dev/null || true)"
  for database in $databases; do
    psql_admin -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null 2>&1 ||
      echo "PostgreSQL: could not drop database $database" >&2
  done
  psql_admin -c "DROP ROLE IF EXISTS \"$NAME\"" >/dev/null 2>&1 ||
    echo "PostgreSQL: could not drop role $NAME" >&2
  echo "PostgreSQL: dropped throwaway database and role $NAME"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The role may create databases: the migration and browser tests make their own beside this one.
psql_admin -c "CREATE ROLE \"$NAME\" LOGIN CREATEDB PASSWORD '$PASSWORD'" >/dev/null
psql_admin -c "CREATE DATABASE \"$NAME\" OWNER \"$NAME\" ENCODING 'UTF8' TEMPLATE template0" >/dev/null
echo "PostgreSQL: created throwaway database $NAME on 127.0.0.1:$PORT"

export TEST_DATABASE_URL="postgresql://$NAME:$PASSWORD@127.0.0.1:$PORT/$NAME"
set +e
"$@"
status=$?
set -e
exit "$status"
