#!/usr/bin/env bash
# scripts/fuzz.sh [seconds] [decoder...]
# Builds the request-decoder harness (Sources/SwitchyardFuzz) with libFuzzer and AddressSanitizer into .build-fuzz,
# then fuzzes each decoder (default: every directory in tests/fuzz/corpus) for `seconds` (default 60) seconds, one
# after the other, starting from its seeds in tests/fuzz/corpus/<decoder>/. Prints how many inputs each run
# executed. A crash, hang (>10 s per input) or allocation over 512 MB stops that decoder's run, leaves the input in
# .build-fuzz/crashes/<decoder>/, and makes the script exit non-zero once every decoder has run.
# Extra libFuzzer flags go in SWITCHYARD_FUZZ_FLAGS (they come last, so they override the ones below).
# Replay one input: .build/debug/SwitchyardFuzz --target <decoder> <file>  (or the fuzz binary: SWITCHYARD_FUZZ_TARGET=<decoder> .build-fuzz/debug/SwitchyardFuzz <file>)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
if [ $# -gt 0 ]; then decoders=("$@"); else mapfile -t decoders < <(ls tests/fuzz/corpus); fi
case "$seconds" in '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [seconds] [decoder...]" >&2; exit 2 ;; esac

# Own scratch path: the instrumented build must never mix with the normal .build.
swift build --scratch-path .build-fuzz --product SwitchyardFuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DSWITCHYARD_FUZZ
bin=.build-fuzz/debug/SwitchyardFuzz

# Inputs longer than any seed needs, but short enough to keep runs fast; aws-chunked gets room for its 4 KiB line limit.
max_len() {
    case "$1" in
        aws-chunked) echo 9000 ;;
        *) echo 4096 ;;
    esac
}

failed=()
summary=()
for decoder in "${decoders[@]}"; do
    seeds=tests/fuzz/corpus/$decoder
    [ -d "$seeds" ] || { echo "no seed corpus $seeds" >&2; exit 2; }
    # libFuzzer adds what it finds to the first directory only, so the committed seeds stay as they are.
    work=.build-fuzz/corpus/$decoder
    crashes=.build-fuzz/crashes/$decoder
    log=.build-fuzz/logs/$decoder.log
    mkdir -p "$work" "$crashes" "$(dirname "$log")"
    echo "== fuzzing $decoder for ${seconds}s"
    status=0
    SWITCHYARD_FUZZ_TARGET=$decoder "$bin" "$work" "$seeds" \
        -max_total_time="$seconds" -max_len="$(max_len "$decoder")" -timeout=10 -rss_limit_mb=2048 \
        -malloc_limit_mb=512 -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$crashes/" \
        ${SWITCHYARD_FUZZ_FLAGS:-} >"$log" 2>&1 || status=$?
    runs=$(grep -oE '^#[0-9]+[[:space:]]+DONE' "$log" | grep -oE '[0-9]+' | tail -1 || true)
    [ -n "$runs" ] || runs=$(grep -oE '^stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
    if [ "$status" -ne 0 ]; then
        failed+=("$decoder")
        summary+=("$decoder: FAILED after #$runs inputs (exit $status); input in $crashes/, log $log")
        grep -E 'ERROR:|Fatal error|SUMMARY|Test unit written' "$log" | head -5 >&2 || true
    else
        summary+=("$decoder: #$runs inputs, no failure")
    fi
    echo "${summary[-1]}"
done

echo "== summary"
printf '%s\n' "${summary[@]}"
[ ${#failed[@]} -eq 0 ] || { echo "failures: ${failed[*]}" >&2; exit 1; }
