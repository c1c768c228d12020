#!/usr/bin/env bash
# Create .venv/ with a Python >= 3.12 and install the project with its dev tools.
# Idempotent: reinstalls only when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    local candidate version
    local candidates=(python3.14 python3.13 python3.12 python3 python)
    if command -v pyenv >/dev/null 2>&1; then
        for version in $(pyenv versions --bare 2>/dev/null | sort -rV); do
            candidates+=("$(pyenv root)/versions/$version/bin/python")
        done
    fi
    for candidate in "$HOME"/.pyenv/versions/3.*/bin/python /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
        candidates+=("$candidate")
    done
    for candidate in "${candidates[@]}"; do
        if [ -x "$candidate" ] || command -v "$candidate" >/dev/null 2>&1; then
            if "$candidate" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
                command -v "$candidate" 2>/dev/null || echo "$candidate"
                return 0
            fi
        fi
    done
    return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    if ! python_bin=$(find_python); then
        echo "error: this project needs Python 3.12 or newer, and none was found on PATH or in pyenv." >&2
        echo "       Install one (e.g. 'pyenv install 3.13') and run this command again." >&2
        exit 1
    fi
    echo "== creating .venv with $python_bin ($("$python_bin" --version 2>&1))"
    rm -rf .venv
    "$python_bin" -m venv .venv
fi

stamp=.venv/.installed-pyproject
if [ ! -f "$stamp" ] || ! cmp -s pyproject.toml "$stamp"; then
    echo "== installing dependencies into .venv (log: .venv/install.log)"
    if ! { .venv/bin/python -m pip install --upgrade pip &&
        .venv/bin/python -m pip install -e ".[dev]"; } >.venv/install.log 2>&1; then
        grep -v "^WARNING: Location" .venv/install.log | tail -n 40 >&2
        echo "error: installing the dependencies failed (full log: .venv/install.log)" >&2
        exit 1
    fi
    cp pyproject.toml "$stamp"
fi

# Translation catalogues are compiled from the committed .po files (GNU gettext's msgfmt).
if ! command -v msgfmt >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing gettext (msgfmt) from Debian's packages"
        (apt-get install -y -qq gettext >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null))
    else
        echo "error: GNU gettext's msgfmt is needed to compile translations: install the 'gettext' package." >&2
        exit 1
    fi
fi
if compgen -G "locale/*/LC_MESSAGES/*.po" >/dev/null; then
    .venv/bin/python manage.py compilemessages --ignore=.venv --verbosity 0
fi
