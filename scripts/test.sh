#!/usr/bin/env bash
# Install everything and run the whole test suite (pytest's extra arguments pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" = 5 ]; then
    echo "error: pytest collected no tests" >&2
    exit 1
fi
exit "$status"
