#!/usr/bin/env bash
# Runs the whole test suite against real services, on a fresh Debian 12 machine with the .NET SDK:
# installs what is missing, starts every service in scripts/services/ on loopback, runs every
# test project, stops the services. Fails when any test fails or any service cannot start.
# The last line is the summary: `tests: N passed, M failed`.
#   scripts/test.sh [extra dotnet test arguments, e.g. --filter "FullyQualifiedName~Accounts"]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

started=$SECONDS
ensure_apt_packages $(cat scripts/test-packages.txt)
ensure_npm

run_dir=$(mktemp -d /tmp/berth-test.XXXXXX)
chmod 755 "$run_dir"
services=(scripts/services/*.sh)
cleanup() {
  for service in "${services[@]}"; do "$service" stop "$run_dir" || true; done
  rm -rf "$run_dir"
}
trap cleanup EXIT

for service in "${services[@]}"; do
  log "starting $(basename "$service" .sh)"
  exports=$("$service" start "$run_dir") || die "service $(basename "$service" .sh) failed to start"
  eval "$exports"
done

log "building"
dotnet build Berth.slnx -c Release -warnaserror -nologo -v quiet

results="$run_dir/results"
# Kept after the run (the run folder is not): browser tests save a screenshot here when they fail.
export BERTH_TEST_RESULTS="${BERTH_TEST_RESULTS:-$PWD/TestResults}"
log "running tests"
set +e
dotnet test Berth.slnx -c Release --no-build --nologo --results-directory "$results" \
  --logger "trx" --logger "console;verbosity=minimal" "$@"
test_exit=$?
set -e

passed=0 failed=0 reports=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  reports=$((reports + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")
  a=$(sed -n 's/.* aborted="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  # Skipped or not executed tests count as failures: nothing may be silently left out.
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0} + ${n:-0}))
done

projects=$(ls tests/*/*.Tests.csproj tests/*/*Tests.csproj 2>/dev/null | sort -u | wc -l)
if [ "$reports" -lt "$projects" ]; then
  echo "error: $projects test projects but only $reports reports: a test host crashed" >&2
  failed=$((failed + projects - reports))
fi

log "finished in $((SECONDS - started)) s"
echo "tests: $passed passed, $failed failed"
[ "$test_exit" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
