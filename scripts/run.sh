#!/usr/bin/env bash
# Install everything, prepare the embedded SQLite database with the default policy and demo
# data, print the logins and serve on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
.venv/bin/python manage.py migrate --no-input
.venv/bin/python manage.py load_default_policy
.venv/bin/python manage.py load_demo_data
exec .venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
