#!/usr/bin/env bash
# How many jobs a Converse call queues on Swift concurrency's global executor (NIO's event loops here), and which
# module's code asked for them: counted, not timed, so it holds on a noisy machine. Uprobes on libswift_Concurrency's
# swift_task_switch (with its resume function) and swift_task_enqueueGlobal, `perf record` on each gateway of a
# governance run of benchmarks/run.sh from its start, then benchmarks/executor_hops.py pairs and counts them.
# The probes slow the gateway about tenfold, so the counts are per request of a slow run: compare builds, not times.
#
#   SWITCHYARD_BIN=$PWD/.build/release/switchyard benchmarks/executor_hops.sh            # modes "on off"
#   MODES="on keys off" FUNCTIONS=30 benchmarks/executor_hops.sh                         # and the top functions
#
# Needs root and perf (Debian: linux-perf); adds the two probes and leaves them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
bin="${SWITCHYARD_BIN:-$repo/.build/release/switchyard}"
[[ "$bin" == /* ]] || bin="$PWD/$bin"
modes="${MODES:-on off}"
command -v perf >/dev/null || { echo "perf not found (apt-get install linux-perf)" >&2; exit 1; }
concurrency="$(ldd "$bin" | awk '/libswift_Concurrency/ {print $3}')"
[[ -n "$concurrency" ]] || { echo "$bin does not link libswift_Concurrency dynamically" >&2; exit 1; }
perf probe -q -d 'probe_libswift_Concurrency:swift_task_*' 2>/dev/null || true
perf probe -q -x "$concurrency" --add 'swift_task_switch fn=%di:x64'
perf probe -q -x "$concurrency" --add swift_task_enqueueGlobal
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
nm -n --defined-only "$bin" >"$work/nm.txt"
pgrep -f "switchyard serve" >/dev/null && { echo "another gateway is running; stop it first" >&2; exit 1; }
SWITCHYARD_BIN="$bin" GOVERNANCE="$modes" WRK_DURATION="${WRK_DURATION:-3s}" "$here/run.sh" >"$work/run.log" 2>&1 &
run=$!
for mode in $(printf '%s\n' $modes | sort -u); do
  for _ in $(seq 1 600); do pgrep -f "/$mode/switchyard.json" >/dev/null && break; sleep 0.02; done
  perf record -q -m 1024 -e probe_libswift_Concurrency:swift_task_switch,probe_libswift_Concurrency:swift_task_enqueueGlobal \
    -p "$(pgrep -f "/$mode/switchyard.json")" -o "$work/$mode.data" >/dev/null 2>&1 &
done
wait "$run" || { tail -n 20 "$work/run.log" >&2; exit 1; }
sleep 1
read -r -a rounds <<<"$modes"
n=0
declare -A requests
for mode in "${rounds[@]}"; do
  n=$((n + 1))
  count="$(awk -v n="$n" '/ requests in / {i++; if (i == n) print $1}' "$work/run.log")"
  requests[$mode]=$(( ${requests[$mode]:-0} + count ))
done
for mode in $(printf '%s\n' $modes | sort -u); do
  perf script -i "$work/$mode.data" -F tid,event,trace 2>/dev/null >"$work/$mode.txt"
  perf script --show-mmap-events -i "$work/$mode.data" 2>/dev/null | grep "PERF_RECORD_MMAP" >"$work/$mode.maps" || true
  base="$(grep -m1 "r-xp .*$(basename "$bin")\$" "$work/$mode.maps" | sed -E 's/.*\[(0x[0-9a-f]+)\(.*/\1/')"
  echo "== $mode: ${requests[$mode]} requests"
  python3 "$here/executor_hops.py" "$work/$mode.txt" "$work/nm.txt" "$base" "${requests[$mode]}" ${FUNCTIONS:+--functions "$FUNCTIONS"}
done
