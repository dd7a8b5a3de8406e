#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, then builds and runs every test in Envoy.slnx.
# Ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dotnet >/dev/null 2>&1 || { echo "The .NET 10 SDK is required (dotnet on PATH)." >&2; exit 1; }
[ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium) # the dashboard's browser tests (driven by Microsoft.Playwright)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null || { echo "apt-get install ${need[*]} failed" >&2; exit 1; }
fi

results=$(mktemp -d)
dotnet build Envoy.slnx -c Release -warnaserror 2>&1 | tail -n 3
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "0 passed, 1 failed (build failed)"; exit 1; }

# A test that runs longer than 5 minutes is a hang (the longest test takes about 75 s): its test host is stopped and the
# test reported as failed, so a hang costs minutes, not the whole CI budget. The whole run is capped at 70 minutes (timeout
# signals its whole process group, test hosts included). The runner writes to a file, not a pipe, so no process a test left
# behind can hold the output open; `tail --pid` shows the results as they come and ends with the runner.
console="$results/console.log"
timeout --signal=TERM --kill-after=60 70m \
  dotnet test Envoy.slnx -c Release --no-build --logger "trx" --results-directory "$results" \
    --blame-hang-timeout 5m --blame-hang-dump-type none >"$console" 2>&1 &
runner=$!
tail -n +1 --pid="$runner" -F "$console" 2>/dev/null | grep --line-buffered -E '^(Passed!|Failed!|  Failed |Skipped )|error|[Bb]lame|[Aa]borted'
wait "$runner"
status=$?
[ "$status" -eq 124 ] && echo "The test run was stopped after 70 minutes."

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  line=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(echo "$line" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p'); f=$(echo "$line" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  t=$(echo "$line" | sed -n 's/.* total="\([0-9]*\)".*/\1/p'); e=$(echo "$line" | sed -n 's/.* executed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
