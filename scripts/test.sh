#!/usr/bin/env bash
# Install everything and run the whole test suite (pytest's extra arguments pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# The browser tests drive Debian's chromium (never a browser download of their own).
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing chromium from Debian's packages (browser tests)"
        (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null))
    else
        echo "warning: chromium is missing: the browser tests will be skipped" >&2
    fi
fi
status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" = 5 ]; then
    echo "error: pytest collected no tests" >&2
    exit 1
fi
exit "$status"
