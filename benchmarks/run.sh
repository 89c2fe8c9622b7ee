#!/usr/bin/env bash
# Load test: wrk against Switchyard's Bedrock Converse route and its OpenAI door's /v1/chat/completions (both backed
# by a fast fake OpenAI upstream), and against the fake upstream directly as the baseline. Loopback only; bounded by WRK_DURATION.
#
#   SWITCHYARD_BIN=.build/release/switchyard benchmarks/run.sh
#
# Env: SWITCHYARD_BIN (default: .build/release/switchyard, else .build/debug/switchyard),
#      WRK_THREADS (2), WRK_CONNECTIONS (32), WRK_DURATION (10s), PYTHON (python3),
#      OBSERVABILITY (on; "off" turns the request log and the metrics off, to measure what they cost),
#      SIGV4 (off; "on" enforces virtual keys and signs the Converse requests with one, to measure verification:
#      one signature made at start is replayed, which the ±5 minute window allows, so every request is verified
#      on the warm path: body and canonical-request digests plus one HMAC),
#      GOVERNANCE (unset; see below), GOVERNANCE_LIMITS (on), CACHE (unset; see below), CACHE_MAX_ENTRIES.
#
# Governance mode, to measure what SigV4 verification plus the governance plugin cost on Converse:
#   GOVERNANCE="on off on off" WRK_DURATION=8s benchmarks/run.sh
# runs one wrk round per word, in that order, in one run, against two gateways started side by side on the same
# fake upstream (so the rounds alternate and share the machine's conditions):
#   pg  - as `on`, with the shared PostgreSQL store (`store.postgres`; BENCH_DATABASE_URL, or a throwaway cluster
#         started with scripts/postgres.sh): GOVERNANCE="on pg on pg" compares the two stores.
#   on  - `governance.enforce: true` with one virtual key declared in the config (`governance.keys`, secret from
#         the environment) that has a budget (1 000 000 USD a day) and a rate limit (10^9 requests a minute), so
#         every call holds and settles its cost and counts against the window in the store; wrk sends a Converse
#         request SigV4-signed with that key by botocore right before the round starts (the signature stays valid
#         for the ±5 minute skew window, so keep rounds shorter than that), headers and body fed to wrk through a
#         generated Lua script. GOVERNANCE_LIMITS=off declares the key without budget and rate limit (signature
#         verification and the plugin's key checks only).
#   keys - as `on`, but the key has neither budget nor rate limit: GOVERNANCE="on keys on keys" isolates what the
#         limits cost beyond verifying the signature (GOVERNANCE_LIMITS=off makes `on` the same as `keys`).
#   off - the same Converse request, unsigned, to a gateway without enforcement and without keys.
# The summary has req/s and latency percentiles per round, and the mean on/off throughput ratio (issue 9's goal:
# at least 0.90). The upstream-direct baseline is skipped in this mode. GOVERNANCE=on or =off alone is one round.
#
# Cache mode, to measure what the answer cache gives on an exact hit and costs on a miss (issue 10):
#   CACHE="hit off miss off" WRK_DURATION=8s benchmarks/run.sh
# runs one wrk round per word, in that order, against two gateways side by side on the same fake upstream:
#   hit  - a gateway with `cache: {enabled: true}` (ttl and max_ttl 1h, so no entry expires during a run); wrk
#          repeats one Converse body, which the pre-flight has stored (it checks that a repeat answers
#          `x-swyd-cache: hit`), so every request is an exact hit and no upstream call.
#   miss - the same cached gateway; a wrk Lua request() puts the round, the run, wrk's thread and a per-thread
#          counter in the text, so every request is a new question: an exact miss, an upstream call and an entry
#          stored (the pre-flight checks a new question answers `x-swyd-cache: miss`). Beyond max_entries (default
#          10 000; CACHE_MAX_ENTRIES sets it) each store evicts the least recently used entry. wrk builds each
#          request in Lua here, a little more of wrk's CPU on shared cores than the static body of the others.
#   off  - a second gateway without a cache section, the same request as hit.
# The summary has per round req/s, latency percentiles, the gateway's CPU-ms per request and the hits and misses the
# cached gateway counted (/metrics, switchyard_cache_requests_total), then for hit and miss the mean throughput and
# CPU-per-request ratios to off and the p50 each adds (mean p50 minus the off rounds' mean p50; negative is faster).
# The upstream-direct baseline is skipped in this mode; CACHE and GOVERNANCE do not combine.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
PYTHON="${PYTHON:-python3}"
THREADS="${WRK_THREADS:-2}"
CONNECTIONS="${WRK_CONNECTIONS:-32}"
DURATION="${WRK_DURATION:-10s}"

if [[ -n "${SWITCHYARD_BIN:-}" ]]; then
  bin="$SWITCHYARD_BIN"
elif [[ -x "$repo/.build/release/switchyard" ]]; then
  bin="$repo/.build/release/switchyard"
else
  bin="$repo/.build/debug/switchyard"
fi
[[ -x "$bin" ]] || { echo "switchyard binary not found at $bin (build it or set SWITCHYARD_BIN)" >&2; exit 1; }

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (apt-get)..."
  sudo=""; [[ "$(id -u)" -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk >/dev/null
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_health() {  # url logfile
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "no answer from $1; log:" >&2; tail -n 40 "$2" >&2; exit 1
}

up_port="$(free_port)"
"$PYTHON" "$here/fast_upstream.py" --port "$up_port" >"$work/upstream.log" 2>&1 &
pids+=($!)
wait_health "http://127.0.0.1:$up_port/health" "$work/upstream.log"

if [[ -n "${CACHE:-}" ]]; then
  [[ -z "${GOVERNANCE:-}" ]] || { echo "CACHE and GOVERNANCE are separate modes: set one of them" >&2; exit 1; }
  read -r -a rounds <<<"$CACHE"
  for mode in "${rounds[@]}"; do
    [[ "$mode" == hit || "$mode" == miss || "$mode" == off ]] || \
      { echo "CACHE: expected words 'hit'/'miss'/'off', got '$mode'" >&2; exit 1; }
  done
  provider_json="\"providers\": {\"openai\": {\"base_url\": \"http://127.0.0.1:$up_port/v1\", \"max_retries\": 0,
                 \"timeout_seconds\": 30, \"keys\": [{\"name\": \"bench\", \"value\": \"sk-bench\"}]}}"
  max_entries=""
  [[ -n "${CACHE_MAX_ENTRIES:-}" ]] && max_entries=", \"max_entries\": $CACHE_MAX_ENTRIES"
  declare -A gw_ports gw_pids
  cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system CPU of a process, in clock ticks
  # Two gateways: "cached" serves the hit and the miss rounds, "plain" (no cache section at all) the off rounds.
  for gw in cached plain; do
    mkdir -p "$work/$gw"
    cache=""
    [[ "$gw" == cached ]] && cache="\"cache\": {\"enabled\": true, \"ttl\": \"1h\", \"max_ttl\": \"1h\"$max_entries},"
    echo "{$cache \"server\": {\"data_dir\": \"$work/$gw/data\"}, $provider_json}" >"$work/$gw/switchyard.json"
    gw_ports[$gw]="$(free_port)"
    (cd "$work/$gw" && exec "$bin" serve --config "$work/$gw/switchyard.json" --host 127.0.0.1 --port "${gw_ports[$gw]}") \
      >"$work/$gw/gateway.log" 2>&1 &
    pids+=($!)
    gw_pids[$gw]=$!
    wait_health "http://127.0.0.1:${gw_ports[$gw]}/health" "$work/$gw/gateway.log"
  done
  converse_body='{"messages":[{"role":"user","content":[{"text":"Say hello."}]}],"inferenceConfig":{"maxTokens":32}}'
  path="/bedrock/model/openai%2Fgpt-4o-mini/converse"
  ask() {  # url body -> the x-swyd-cache header of the answer ("-" without one); exits unless 200
    local code
    code="$(curl -s -D "$work/preflight.head" -o "$work/preflight.out" -w '%{http_code}' \
            -H 'Content-Type: application/json' --data "$2" "$1")"
    [[ "$code" == 200 ]] || { echo "pre-flight $1 -> $code: $(cat "$work/preflight.out")" >&2; exit 1; }
    local outcome
    outcome="$(awk -F': *' 'tolower($1) == "x-swyd-cache" {gsub(/\r/, "", $2); print $2}' "$work/preflight.head")"
    echo "${outcome:--}"
  }
  cache_count() {  # outcome -> switchyard_cache_requests_total{outcome=...} of the cached gateway, all types
    curl -fsS "http://127.0.0.1:${gw_ports[cached]}/metrics" |
      awk -v o="outcome=\"$1\"" '/^switchyard_cache_requests_total\{/ && index($0, o) {s += $NF} END {printf "%d", s}'
  }
  n=0
  for mode in "${rounds[@]}"; do
    n=$((n + 1))
    gw=cached
    [[ "$mode" == off ]] && gw=plain
    url="http://127.0.0.1:${gw_ports[$gw]}$path"
    case "$mode" in
      hit)
        # The first ask stores the answer (the entry is written behind it), the next ones must hit.
        outcome="$(ask "$url" "$converse_body")"
        for _ in $(seq 1 50); do
          outcome="$(ask "$url" "$converse_body")"
          [[ "$outcome" == hit ]] && break
          sleep 0.1
        done
        [[ "$outcome" == hit ]] || { echo "pre-flight: the repeated request answered x-swyd-cache: $outcome, not hit" >&2; exit 1; }
        ;;
      miss)
        outcome="$(ask "$url" "${converse_body/Say hello./Say hello. preflight $n $$ $RANDOM}")"
        [[ "$outcome" == miss ]] || { echo "pre-flight: a new question answered x-swyd-cache: $outcome, not miss" >&2; exit 1; }
        ;;
      off)
        outcome="$(ask "$url" "$converse_body")"
        [[ "$outcome" == - ]] || { echo "pre-flight: the gateway without a cache answered x-swyd-cache: $outcome" >&2; exit 1; }
        ;;
    esac
    {
      echo 'wrk.method = "POST"'
      echo 'wrk.headers["Content-Type"] = "application/json"'
      if [[ "$mode" == miss ]]; then
        # Every request a new question: the round, this run, wrk's thread and a per-thread counter in the text.
        prefix="${converse_body%%Say hello.*}Say hello. round $n run $$-$(date +%s) "
        suffix="${converse_body#*Say hello.}"
        echo 'local threads = 0'
        echo 'function setup(thread) threads = threads + 1; thread:set("thread_id", threads) end'
        echo 'local counter = 0'
        echo "local prefix = [==[$prefix]==]"
        echo "local suffix = [==[$suffix]==]"
        echo 'function request()'
        echo '  counter = counter + 1'
        echo '  return wrk.format(nil, nil, nil, prefix .. thread_id .. "-" .. counter .. suffix)'
        echo 'end'
      else
        echo "wrk.body = [[$converse_body]]"
      fi
    } >"$work/round$n.lua"
    echo
    echo "=== round $n: cache $mode (pre-flight x-swyd-cache: $outcome): wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $url"
    hits_before="$(cache_count hit)"; misses_before="$(cache_count miss)"
    before="$(cpu_ticks "${gw_pids[$gw]}")"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/round$n.lua" "$url" | tee "$work/round$n.txt"
    echo "$(( $(cpu_ticks "${gw_pids[$gw]}") - before ))" >"$work/round$n.cpu"
    # What the cached gateway counted during the round (requests still in flight when wrk stopped count too).
    echo "$(( $(cache_count hit) - hits_before )) $(( $(cache_count miss) - misses_before ))" >"$work/round$n.outcomes"
  done
  ticks_per_second="$(getconf CLK_TCK)"
  echo
  echo "=== summary ($(basename "$bin"), $THREADS threads, $CONNECTIONS connections, $DURATION)"
  n=0
  for mode in "${rounds[@]}"; do
    n=$((n + 1))
    f="$work/round$n.txt"
    rps="$(awk '/^Requests\/sec/ {print $2}' "$f")"
    pcts="$(awk '/^ +(50|75|90|99)%/ {printf "p%s=%s ", substr($1,1,length($1)-1), $2}' "$f")"
    # p50 in ms, whatever unit wrk printed it in
    p50_ms="$(awk '/^ +50%/ {v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                              printf "%.3f", v * (u == "us" ? 0.001 : u == "s" ? 1000 : u == "m" ? 60000 : 1)}' "$f")"
    errs="$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$f")"
    requests="$(awk '/ requests in / {print $1}' "$f")"
    cpu_ms="$(awk -v t="$(cat "$work/round$n.cpu")" -v hz="$ticks_per_second" -v r="$requests" 'BEGIN {printf "%.3f", t * 1000 / hz / r}')"
    read -r hits misses <"$work/round$n.outcomes"
    counted="cache hit/miss=$hits/$misses of $requests"
    [[ "$mode" == off ]] && counted="no cache"
    printf 'round %-2s %-4s %10s req/s   %s cpu-ms/req=%s %s %s\n' \
      "$n" "$mode" "$rps" "$pcts" "$cpu_ms" "$counted" "$errs"
    echo "$mode $rps $cpu_ms $p50_ms" >>"$work/rates"
  done
  awk '{s[$1]+=$2; m[$1]+=$3; p[$1]+=$4; c[$1]++} END {
         if (!c["off"]) exit
         for (mode in c) if (mode != "off") {
           printf "mean %s/off throughput = %.3f, CPU per request %s/off = %.3f, p50 added by %s = %+.3f ms (%.3f vs %.3f)\n",
             mode, (s[mode]/c[mode])/(s["off"]/c["off"]), mode, (m[mode]/c[mode])/(m["off"]/c["off"]),
             mode, p[mode]/c[mode] - p["off"]/c["off"], p[mode]/c[mode], p["off"]/c["off"] } }' "$work/rates" | sort
  exit 0
fi

if [[ -n "${GOVERNANCE:-}" ]]; then
  read -r -a rounds <<<"$GOVERNANCE"
  for mode in "${rounds[@]}"; do
    [[ "$mode" == on || "$mode" == off || "$mode" == pg || "$mode" == keys ]] ||
      { echo "GOVERNANCE: expected words 'on'/'off'/'pg'/'keys', got '$mode'" >&2; exit 1; }
  done
  if [[ " ${rounds[*]} " == *" pg "* && -z "${BENCH_DATABASE_URL:-}" ]]; then
    # A throwaway PostgreSQL on loopback, as the tests use (scripts/postgres.sh).
    mkdir -p "$work/pg" && chmod 755 "$work" "$work/pg"
    BENCH_DATABASE_URL="$("$(dirname "$0")/../scripts/postgres.sh" start "$work/pg/cluster" "$(free_port)")"
    trap '"$(dirname "$0")/../scripts/postgres.sh" stop "$work/pg/cluster"; cleanup' EXIT
  fi
  key_id="SWYDBENCHGOVERNANCE1"
  export SWYD_BENCH_SECRET="bench-governance-secret-0123456789abcdefgh"
  limits=""
  [[ "${GOVERNANCE_LIMITS:-on}" == on ]] && \
    limits=', "budgets": [{"id": "bench", "limit_usd": "1000000", "period": "1d"}], "rate_limit": {"requests": 1000000000, "window_seconds": 60}'
  provider_json="\"providers\": {\"openai\": {\"base_url\": \"http://127.0.0.1:$up_port/v1\", \"max_retries\": 0,
                 \"timeout_seconds\": 30, \"keys\": [{\"name\": \"bench\", \"value\": \"sk-bench\"}]}}"
  declare -A gw_ports gw_pids
  cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system CPU of a process, in clock ticks
  for mode in $(printf '%s\n' on off "${rounds[@]}" | sort -u); do
    mkdir -p "$work/$mode"
    governance=""
    [[ "$mode" == pg ]] && governance="\"store\": {\"postgres\": {\"url\": \"$BENCH_DATABASE_URL\"}},"
    key_limits="$limits"
    [[ "$mode" == keys ]] && key_limits=""
    [[ "$mode" != off ]] && governance+="\"governance\": {\"enforce\": true, \"keys\": [{\"name\": \"bench\", \"access_key_id\": \"$key_id\", \"secret\": \"env.SWYD_BENCH_SECRET\"$key_limits}]},"
    echo "{$governance \"server\": {\"data_dir\": \"$work/$mode/data\"}, $provider_json}" >"$work/$mode/switchyard.json"
    gw_ports[$mode]="$(free_port)"
    (cd "$work/$mode" && SWITCHYARD_MASTER_KEY=bench-master-key exec "$bin" serve --config "$work/$mode/switchyard.json" \
      --host 127.0.0.1 --port "${gw_ports[$mode]}") >"$work/$mode/gateway.log" 2>&1 &
    pids+=($!)
    gw_pids[$mode]=$!
    wait_health "http://127.0.0.1:${gw_ports[$mode]}/health" "$work/$mode/gateway.log"
  done
  converse_body='{"messages":[{"role":"user","content":[{"text":"Say hello."}]}],"inferenceConfig":{"maxTokens":32}}'
  path="/bedrock/model/openai%2Fgpt-4o-mini/converse"
  sign() {  # port -> "Name: value" lines of a botocore SigV4 signature made now with the virtual key
    "$PYTHON" - "$1" "$path" "$converse_body" "$key_id" <<'PY'
import os, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
port, path, body, key_id = sys.argv[1:5]
request = AWSRequest("POST", f"http://127.0.0.1:{port}{path}", data=body.encode(),
                     headers={"Content-Type": "application/json"})
SigV4Auth(Credentials(key_id, os.environ["SWYD_BENCH_SECRET"]), "bedrock", "us-west-2").add_auth(request)
print(f"Host: 127.0.0.1:{port}")
for name in ("Authorization", "X-Amz-Date"):
    print(f"{name}: {request.headers[name]}")
PY
  }
  write_lua() {  # file headers
    {
      echo 'wrk.method = "POST"'
      echo 'wrk.headers["Content-Type"] = "application/json"'
      while IFS= read -r line; do
        [[ -n "$line" ]] && echo "wrk.headers[\"${line%%: *}\"] = \"${line#*: }\""
      done <<<"$2"
      echo "wrk.body = [[$converse_body]]"
    } >"$1"
  }
  preflight() {  # url headers
    local args=(-s -o "$work/preflight.out" -w '%{http_code}' -H 'Content-Type: application/json')
    while IFS= read -r line; do [[ -n "$line" ]] && args+=(-H "$line"); done <<<"$2"
    local code
    code="$(curl "${args[@]}" --data "$converse_body" "$1")"
    [[ "$code" == 200 ]] || { echo "pre-flight $1 -> $code: $(cat "$work/preflight.out")" >&2; exit 1; }
  }
  # The enforcing gateway refuses the unsigned request: the "on" rounds measure what they claim to.
  code="$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data "$converse_body" \
          "http://127.0.0.1:${gw_ports[on]}$path")"
  [[ "$code" == 403 ]] || { echo "the enforcing gateway answered an unsigned request with $code, not 403" >&2; exit 1; }
  n=0
  for mode in "${rounds[@]}"; do
    n=$((n + 1))
    url="http://127.0.0.1:${gw_ports[$mode]}$path"
    headers=""
    [[ "$mode" != off ]] && headers="$(sign "${gw_ports[$mode]}")"  # signed right before its round
    write_lua "$work/round$n.lua" "$headers"
    preflight "$url" "$headers"
    echo
    echo "=== round $n: governance $mode: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $url"
    before="$(cpu_ticks "${gw_pids[$mode]}")"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/round$n.lua" "$url" | tee "$work/round$n.txt"
    echo "$(( $(cpu_ticks "${gw_pids[$mode]}") - before ))" >"$work/round$n.cpu"
  done
  ticks_per_second="$(getconf CLK_TCK)"
  echo
  echo "=== summary ($(basename "$bin"), $THREADS threads, $CONNECTIONS connections, $DURATION, governance limits ${GOVERNANCE_LIMITS:-on})"
  n=0
  for mode in "${rounds[@]}"; do
    n=$((n + 1))
    f="$work/round$n.txt"
    rps="$(awk '/^Requests\/sec/ {print $2}' "$f")"
    pcts="$(awk '/^ +(50|75|90|99)%/ {printf "p%s=%s ", substr($1,1,length($1)-1), $2}' "$f")"
    errs="$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$f")"
    requests="$(awk '/ requests in / {print $1}' "$f")"
    # The gateway's own CPU per request: what the rounds compare when other work shares the machine.
    cpu_ms="$(awk -v t="$(cat "$work/round$n.cpu")" -v hz="$ticks_per_second" -v r="$requests" 'BEGIN {printf "%.3f", t * 1000 / hz / r}')"
    printf 'round %-2s %-4s %10s req/s   %s cpu-ms/req=%s %s\n' "$n" "$mode" "$rps" "$pcts" "$cpu_ms" "$errs"
    echo "$mode $rps $cpu_ms" >>"$work/rates"
  done
  awk '{s[$1]+=$2; m[$1]+=$3; c[$1]++} END {if (c["on"] && c["off"]) {
         printf "mean on/off throughput = %.3f (goal >= 0.90)\n", (s["on"]/c["on"])/(s["off"]/c["off"])
         printf "gateway CPU per request off/on = %.3f (the same ratio when CPU is the bottleneck)\n", (m["off"]/c["off"])/(m["on"]/c["on"]) }
         if (c["on"] && c["keys"]) {
         printf "mean on/keys throughput = %.3f (what the budget and rate limit cost beyond verifying the key)\n", (s["on"]/c["on"])/(s["keys"]/c["keys"])
         printf "gateway CPU per request keys/on = %.3f\n", (m["keys"]/c["keys"])/(m["on"]/c["on"]) }
         if (c["on"] && c["pg"]) {
         printf "mean pg/on throughput = %.3f (the PostgreSQL store against the SQLite store, both governed)\n", (s["pg"]/c["pg"])/(s["on"]/c["on"])
         printf "gateway CPU per request on/pg = %.3f\n", (m["on"]/c["on"])/(m["pg"]/c["pg"]) }}' "$work/rates"
  exit 0
fi

gw_port="$(free_port)"
observability=""
[[ "${OBSERVABILITY:-on}" == off ]] && observability='"logging": {"enabled": false}, "metrics": {"enabled": false},'
cat >"$work/switchyard.json" <<EOF
{$observability "server": {"data_dir": "$work/data"},
 "providers": {"openai": {"base_url": "http://127.0.0.1:$up_port/v1", "max_retries": 0, "timeout_seconds": 30,
                          "keys": [{"name": "bench", "value": "sk-bench"}]}}}
EOF
if [[ "${SIGV4:-off}" == on ]]; then
  export SWITCHYARD_MASTER_KEY="$("$PYTHON" -c 'import sys; sys.path.insert(0, sys.argv[1]); import virtual_keys; print(virtual_keys.MASTER_KEY_ENV["SWITCHYARD_MASTER_KEY"])' "$repo/tests/e2e")"
  sed -i 's/^{/{"governance": {"enforce": true}, /' "$work/switchyard.json"
fi
(cd "$work" && exec "$bin" serve --config "$work/switchyard.json" --host 127.0.0.1 --port "$gw_port") \
  >"$work/gateway.log" 2>&1 &
pids+=($!)
wait_health "http://127.0.0.1:$gw_port/health" "$work/gateway.log"

converse_body='{"messages":[{"role":"user","content":[{"text":"Say hello."}]}],"inferenceConfig":{"maxTokens":32}}'
openai_body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello."}],"max_tokens":32}'
signed_headers=""
curl_auth=()
if [[ "${SIGV4:-off}" == on ]]; then
  # A virtual key in the store, and Converse signed with it by botocore, as boto3 would send it.
  signed_headers="$("$PYTHON" - "$repo/tests/e2e" "$work/data" "$gw_port" "$converse_body" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
import virtual_keys
key = virtual_keys.seed_key(Path(sys.argv[2]), "bench")
request = AWSRequest("POST", f"http://127.0.0.1:{sys.argv[3]}/bedrock/model/openai%2Fgpt-4o-mini/converse",
                     data=sys.argv[4].encode(), headers={"Content-Type": "application/json"})
SigV4Auth(Credentials(key.access_key_id, key.secret), "bedrock", "us-west-2").add_auth(request)
for name in ("Authorization", "X-Amz-Date"):
    print(f"{name}: {request.headers[name]}")
PY
)"
  while IFS= read -r line; do curl_auth+=(-H "$line"); done <<<"$signed_headers"
fi
lua() {  # file body [headers: "Name: value" lines]
  {
    echo 'wrk.method = "POST"'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    while IFS= read -r line; do
      [[ -n "$line" ]] && echo "wrk.headers[\"${line%%: *}\"] = \"${line#*: }\""
    done <<<"${3:-}"
    echo "wrk.body = [[$2]]"
  } >"$1"
}
lua "$work/converse.lua" "$converse_body" "$signed_headers"
lua "$work/openai.lua" "$openai_body"
# The OpenAI door on the same upstream: same dialect, so the caller's body goes up as written (model renamed).
door_body='{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Say hello."}],"max_tokens":32}'
lua "$work/door.lua" "$door_body"

gw_url="http://127.0.0.1:$gw_port/bedrock/model/openai%2Fgpt-4o-mini/converse"
up_url="http://127.0.0.1:$up_port/v1/chat/completions"
door_url="http://127.0.0.1:$gw_port/v1/chat/completions"
doors=("$gw_url|$converse_body" "$up_url|$openai_body")
# With virtual keys enforced the door would need a bearer key; it is measured without them.
[[ "${SIGV4:-off}" == on ]] || doors+=("$door_url|$door_body")
# Pre-flight: each must answer 200 before numbers mean anything.
for pair in "${doors[@]}"; do
  auth=()
  [[ "${pair%%|*}" == "$gw_url" ]] && auth=("${curl_auth[@]}")
  code="$(curl -s -o "$work/preflight.out" -w '%{http_code}' -H 'Content-Type: application/json' "${auth[@]}" \
          --data "${pair#*|}" "${pair%%|*}")"
  [[ "$code" == 200 ]] || { echo "pre-flight ${pair%%|*} -> $code: $(cat "$work/preflight.out")" >&2; exit 1; }
done

run_wrk() {  # label url script
  echo
  echo "=== $1: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $2"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$3" "$2" | tee "$work/$1.txt"
}
run_wrk upstream-direct "$up_url" "$work/openai.lua"
run_wrk gateway "$gw_url" "$work/converse.lua"
labels=(upstream-direct gateway)
if [[ "${SIGV4:-off}" != on ]]; then
  run_wrk openai-door "$door_url" "$work/door.lua"
  labels+=(openai-door)
fi

echo
echo "=== summary ($(basename "$bin"), $THREADS threads, $CONNECTIONS connections, $DURATION)"
for label in "${labels[@]}"; do
  f="$work/$label.txt"
  rps="$(awk '/^Requests\/sec/ {print $2}' "$f")"
  pcts="$(awk '/^ +(50|75|90|99)%/ {printf "p%s=%s ", substr($1,1,length($1)-1), $2}' "$f")"
  errs="$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$f")"
  printf '%-16s %10s req/s   %s %s\n' "$label" "$rps" "$pcts" "$errs"
done
