#!/usr/bin/env bash
# Measures the answer cache's semantic lookup (a brute-force scan of one partition) at 10k and 100k entries:
# compiles Sources/AnswerCache/VectorPartition.swift with a small driver at -O, without building the package.
#   scripts/cache-bench.sh [sizes, default 10000,100000] [dimensions, default 1024,1536]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
swiftc -O -module-name CacheBench -o "$out/cache-bench" "$repo/Sources/AnswerCache/VectorPartition.swift" "$repo/scripts/cache-bench/main.swift"
"$out/cache-bench" "${1:-10000,100000}" "${2:-1024,1536}"
