#!/usr/bin/env bash
# `make run-prod`: Concord as production runs it, on this machine. PostgreSQL and Redis must be
# running; the secrets come from .env (development keys: never use them for real data).
#   gunicorn with WEB_WORKERS (2) processes on 127.0.0.1:PORT, whitenoise for static files,
#   two Celery workers (w1, w2) and Celery beat, JSON logs on stderr.
# Ctrl-C (or any one of them dying) stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PORT="${PORT:-8000}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/concord_prod}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/1}"
export CONCORD_PRODUCTION=1 CONCORD_DEBUG=0
WEB_WORKERS="${WEB_WORKERS:-2}"
WEB_THREADS="${WEB_THREADS:-4}"

case "$DATABASE_URL" in
postgres://* | postgresql://*) ;;
*) echo "run-prod needs PostgreSQL: DATABASE_URL=postgres://…" >&2 && exit 2 ;;
esac

# The database itself, when the server has none of that name yet.
$BIN/python - <<'PY'
import os

import dj_database_url
import psycopg
from psycopg import sql

db = dj_database_url.parse(os.environ["DATABASE_URL"])
params = {"user": db["USER"], "password": db["PASSWORD"], "host": db["HOST"], "port": db["PORT"]}
params = {k: v for k, v in params.items() if v}
with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
        print(f"created database {db['NAME']}")
PY
$BIN/python manage.py migrate --noinput
$BIN/python manage.py collectstatic --noinput -v 0
$BIN/python manage.py load_demo
mkdir -p var

pids=()
stop() {
	trap - INT TERM EXIT
	echo "stopping ${pids[*]}" >&2
	kill -TERM "${pids[@]}" 2>/dev/null || true
	wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

$BIN/gunicorn concord.wsgi --bind "127.0.0.1:$PORT" --workers "$WEB_WORKERS" \
	--threads "$WEB_THREADS" --graceful-timeout 20 &
pids+=($!)
for name in w1 w2; do
	$BIN/celery -A concord worker -n "$name@%h" --concurrency 1 -l info &
	pids+=($!)
done
$BIN/celery -A concord beat -l info --schedule var/celerybeat-schedule &
pids+=($!)
echo "Concord on http://127.0.0.1:$PORT (gunicorn ×$WEB_WORKERS, celery w1 w2, beat)" >&2
wait -n "${pids[@]}"  # the first one to exit, then stop() stops the rest
