#!/usr/bin/env bash
# Install everything, prepare the embedded SQLite database with the default policy and demo
# data, print the logins and serve on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
.venv/bin/python manage.py migrate --no-input
.venv/bin/python manage.py load_default_policy
.venv/bin/python manage.py load_demo_data
# Background tasks (e-mail, reminders, re-applies) run in the database worker beside the server.
.venv/bin/python manage.py db_worker >var/worker.log 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null' EXIT INT TERM
echo "Background worker started (log: var/worker.log). E-mail goes to the console unless EMAIL_HOST is set."
.venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
