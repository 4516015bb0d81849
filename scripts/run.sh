#!/usr/bin/env bash
# Set up a virtual environment (first run only) and run the main job on bundled sample data.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/python -m kamcore.demo "$@"
