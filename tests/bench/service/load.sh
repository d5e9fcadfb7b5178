#!/usr/bin/env bash
# Load benchmark of `rubric serve` with wrk (Debian's), on loopback only and bounded in time:
# the seed's example record as a patient-view prefetch, POSTed by wrk's connections for
# SECONDS each run, with 1 and 2 server threads, then with 2 threads while the rule file is
# rewritten every 0.2 s (hot reloads). Prints requests/s, p50 and p99 latency and the errors
# (non-2xx answers and socket errors) of each run; fails when any run had an error.
#
#   bash tests/bench/service/load.sh [BUILD_DIR=build] [SECONDS=10] [CONNECTIONS=8]
set -euo pipefail
cd "$(dirname "$0")/../../.."
build=${1:-build}
seconds=${2:-10}
connections=${3:-8}
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

cp guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric "$work/seed.rubric"
/usr/bin/python3 - "$work/body.json" <<'PY'
import json, sys
sys.argv = [sys.argv[0], "build/rubric", "."] + sys.argv[1:]
sys.path.insert(0, "tests/service")
import serve_tests
with open("guidelines/vertebral-fracture-grade1/records/seed-example-new-fracture-elderly.bundle.json") as f:
    request = serve_tests.prefetch_request(json.load(f))
with open(sys.argv[3], "w") as f:
    json.dump(request, f)
PY

start_server() {  # THREADS
  "$build/rubric" serve "$work/seed.rubric" --port 0 --threads "$1" --as-of 2026-06-15 \
    2>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 100); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/server.log" | sed 's/.*://' || true)
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "error: rubric serve did not start" >&2
  cat "$work/server.log" >&2
  exit 1
}
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid"
  server_pid=
}

failed=0
run() {  # LABEL
  BODY="$work/body.json" wrk -t2 -c"$connections" -d"${seconds}s" --latency \
    -s tests/bench/service/post.lua "http://127.0.0.1:$port/cds-services/vertebral-fracture-grade1" \
    >"$work/wrk.txt"
  local rps p50 p99 non2xx socket
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt")
  socket=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$work/wrk.txt")
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "$(( ${non2xx:-0} + ${socket:-0} ))"
  if [ "${non2xx:-0}" != 0 ] || [ "${socket:-0}" != 0 ]; then
    failed=1
    cat "$work/wrk.txt" >&2
  fi
}

echo "wrk: ${seconds} s a run, ${connections} connections, 2 wrk threads; $(nproc) cores; $(uptime)"
echo "| server | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
start_server 1
run "1 thread"
stop_server
start_server 2
run "2 threads"
# The same while the rule file changes every 0.2 s: each change is a reload.
(
  version=0
  end=$((SECONDS + seconds))
  while [ $SECONDS -lt $end ]; do
    version=$((version + 1))
    sed -i "s/^  version \"[^\"]*\"/  version \"1.0.$version\"/" "$work/seed.rubric"
    sleep 0.2
  done
) &
writer=$!
run "2 threads, reloading"
wait "$writer"
reloads=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/rubric_reloads_total\{result="succeeded"\}/ {print $2}')
failed_reloads=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/rubric_reloads_total\{result="failed"\}/ {print $2}')
echo "reloads during the last run: ${reloads} succeeded, ${failed_reloads} failed"
stop_server
if [ "$reloads" = 0 ] || [ "$failed_reloads" != 0 ]; then
  echo "error: the reloading run did not reload cleanly" >&2
  failed=1
fi
exit $failed
