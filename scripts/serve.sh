#!/usr/bin/env bash
# `make run`'s server: gunicorn and the scheduler side by side. The URL is printed once the
# server answers (not when it starts loading), and Ctrl-C or a TERM stops both and ends cleanly.
set -u
port="${PORT:-8080}"
workers="${WORKERS:-2}"
url="http://127.0.0.1:${port}/"

# Each in a session of its own: Ctrl-C reaches this script only, which stops them gracefully
# (gunicorn's workers, sent the terminal's SIGINT themselves, would drop requests in flight).
setsid flask datakesos scheduler &
scheduler=$!
# Sync workers only: Flask-AppBuilder shares filter objects between requests (no threads).
setsid gunicorn --workers "$workers" --worker-class sync --timeout 120 --graceful-timeout 20 \
  --bind "127.0.0.1:${port}" --access-logfile - --log-level warning run:app &
server=$!

# Waits for the given processes, at most $1 seconds; true when they have all ended.
ended_within() {
  local deadline=$((SECONDS + $1)); shift
  while kill -0 "$@" 2>/dev/null; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.3
  done
  return 0
}

stop() {
  trap - INT TERM HUP
  echo ""
  echo "  Stopping Datakesos …"
  kill -TERM "$server" "$scheduler" 2>/dev/null
  # gunicorn lets its workers finish their requests (--graceful-timeout); the scheduler its job.
  if ! ended_within "${STOP_SECONDS:-60}" "$server" "$scheduler"; then
    echo "  Not stopped after ${STOP_SECONDS:-60} s: ended by force (an interrupted job is marked so)."
    kill -KILL "$server" "$scheduler" 2>/dev/null
  fi
  wait "$server" "$scheduler" 2>/dev/null
  echo "  Stopped."
  exit 0
}
trap stop INT TERM HUP

started=$SECONDS
until curl -fsS -o /dev/null "${url}login/" 2>/dev/null; do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "The web server did not start; see its messages above." >&2
    kill -TERM "$scheduler" 2>/dev/null
    exit 1
  fi
  sleep 0.3
done
echo ""
echo "  Datakesos answers on ${url} (ready in $((SECONDS - started)) s; Ctrl-C stops it)"
"$(dirname "$0")/demo_logins.sh"

# Either process ending ends the other: the console without its scheduler would queue closes
# that never run.
wait -n "$server" "$scheduler"
status=$?
kill -TERM "$server" "$scheduler" 2>/dev/null
wait 2>/dev/null
exit "$status"
