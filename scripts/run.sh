#!/usr/bin/env bash
# Set up a virtual environment (first run only) and run the main job on bundled sample data:
# evaluate the sample portfolio with the example policy, print the portfolio summary and write
# the evaluations to out/evaluations.jsonl (rejected rows, if any, to out/evaluations.rejects.csv).
# Extra arguments go to `kam evaluate`, e.g. ./scripts/run.sh --as-of 2026-06-30
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
# --as-of pins the evaluation date so the bundled sample gives the same evaluations every run
exec .venv/bin/kam evaluate policies/examples/acme-industrial.toml samples/acme-industrial.csv \
  --as-of 2026-06-30 -o out/evaluations.jsonl "$@"
