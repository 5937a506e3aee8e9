#!/usr/bin/env bash
# Install Microsoft's Teams manifest schema (npm @microsoft/app-manifest, pinned in
# manifest/schema.py) into .cache/app-manifest/. Idempotent; instant when already there.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
[ -x "$python" ] || python=python3
exec "$python" -m manifest install-schema
