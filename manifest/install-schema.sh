#!/usr/bin/env bash
# Install Microsoft's Teams manifest schema (npm @microsoft/app-manifest, pinned in
# manifest/schema.py) into .cache/app-manifest/, and Microsoft's Adaptive Cards renderer (npm
# adaptivecards, pinned in manifest/adaptive_cards.py) into .cache/adaptivecards/ for the card
# tests. Idempotent; instant when already there.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
[ -x "$python" ] || python=python3
"$python" -m manifest install-schema
exec "$python" -m manifest install-card-renderer
