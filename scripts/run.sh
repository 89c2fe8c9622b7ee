#!/usr/bin/env bash
# Builds the release binary if needed and runs the gateway; arguments go to `switchyard serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product switchyard
exec .build/release/switchyard serve "$@"
