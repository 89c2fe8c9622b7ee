#!/usr/bin/env bash
# Builds once (debug), runs the Swift unit tests, then the end-to-end tests (boto3 against the built binary).
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests
swift test --skip-build

python3 -m pip install --disable-pip-version-check -q -r tests/requirements.txt
SWITCHYARD_BIN="${SWITCHYARD_BIN:-$PWD/.build/debug/switchyard}" python3 -m pytest tests/e2e -q -p no:cacheprovider "$@"
