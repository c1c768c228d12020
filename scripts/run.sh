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
# The scheduled jobs that cron runs in production (README, "Scheduled jobs"), every minute.
(
    while sleep "${SCHEDULE_EVERY:-60}"; do
        .venv/bin/python manage.py sla_sweep
        .venv/bin/python manage.py send_due_emails
    done
) >var/scheduler.log 2>&1 &
scheduler=$!
trap 'kill "$worker" "$scheduler" 2>/dev/null' EXIT INT TERM
echo "Background worker and scheduled jobs started (logs: var/worker.log, var/scheduler.log)."
echo "E-mail goes to the console unless EMAIL_HOST is set."
.venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
