#!/usr/bin/env bash
# Builds once (debug), runs the Swift unit tests, then the end-to-end tests (boto3 against the built binary).
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests

# A throwaway PostgreSQL cluster on loopback for the shared-store tests (Swift and e2e), stopped on exit.
pg_root=$(mktemp -d)
chmod 755 "$pg_root"
trap 'scripts/postgres.sh stop "$pg_root/cluster"; rm -rf "$pg_root"' EXIT
SWITCHYARD_TEST_DATABASE_URL=$(scripts/postgres.sh start "$pg_root/cluster" "${SWITCHYARD_TEST_PG_PORT:-55439}")
export SWITCHYARD_TEST_DATABASE_URL

swift test --skip-build

# The dashboard's browser test drives Debian's chromium through chromedriver (tests/e2e/test_dashboard.py).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    as_root=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then as_root="sudo"; fi
    $as_root apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium chromium-driver >/dev/null
fi

python3 -m pip install --disable-pip-version-check -q -r tests/requirements.txt
SWITCHYARD_BIN="${SWITCHYARD_BIN:-$PWD/.build/debug/switchyard}" python3 -m pytest tests/e2e -q -p no:cacheprovider "$@"
