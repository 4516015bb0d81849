#!/usr/bin/env bash
# Set up a virtual environment (first run only) and run every check: lint, format, types, tests.
# This is the README's test command; .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
# The example third-party plugin, installed as a user would: tests/test_plugin_author.py checks
# that it is discovered through its entry point, listed by `kam plugins` and usable.
.venv/bin/python -m pip install -q --disable-pip-version-check -e examples/kamcore-plugin-example
echo "== ruff check"; .venv/bin/ruff check .
echo "== ruff format --check"; .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy
echo "== schemas in sync with the models"; .venv/bin/python -m kamcore.models.export --check
echo "== pytest"; .venv/bin/python -m pytest -q "$@"
echo "== example plugin tests"; .venv/bin/python -m pytest -q examples/kamcore-plugin-example/tests
