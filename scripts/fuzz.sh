#!/usr/bin/env bash
# Fuzzes the edge's parsers of untrusted bytes with afl-fuzz (coverage-guided, through SharpFuzz), one
# target at a time, each for a bounded time:
#   scripts/fuzz.sh [lane-head|response-head|chunked|all] [seconds per target, default 60]
# Prints executions, paths and crashes per target, replays every crash to print the invariant it broke,
# and adds the new inputs afl-fuzz found interesting (minimised with afl-cmin) to the target's corpus in
# tests/Berth.Proxy.Fuzz/corpus/<target>/ (at most 200 files each), which the test suite replays.
# BERTH_FUZZ_AUDIT=1 adds the checks of the edge audit's pending fixes. BERTH_FUZZ_DIR: where the build
# and afl-fuzz's output go (default .fuzz/ in the repo, ignored by git; crashes are kept there; afl-cmin
# refuses to work under /tmp).
# Changes no system setting: afl-fuzz is told through environment variables to accept this machine as is.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

all_targets=(lane-head response-head chunked)
target=${1:-all}
seconds=${2:-60}
max_corpus=200
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || die "seconds must be a positive number, not '$seconds'"
case "$target" in
  all) targets=("${all_targets[@]}") ;;
  lane-head | response-head | chunked) targets=("$target") ;;
  *) die "unknown target '$target' (lane-head, response-head, chunked or all)" ;;
esac

ensure_apt_packages afl++
dotnet tool restore >/dev/null

work=${BERTH_FUZZ_DIR:-$PWD/.fuzz}
bin="$work/bin"
plain="$work/bin-plain"
rm -rf "$bin" "$plain"
mkdir -p "$work"
log "building the fuzz target (Release) into $bin"
dotnet publish tests/Berth.Proxy.Fuzz -c Release -o "$bin" -nologo -v quiet >/dev/null
# Crashes are replayed outside afl-fuzz, where instrumented code has no coverage map to write to.
cp -r "$bin" "$plain"
# Only the parsers are instrumented: not the invariants, the runtime, nor the edge's I/O loop, whose
# thread would make every run's coverage differ (the chunked target reads over a loopback socket).
dotnet tool run sharpfuzz "$bin/Berth.Proxy.dll" \
  Berth.Proxy.Lane.LaneRequestHead Berth.Proxy.Origins.OriginResponseHead Berth.Proxy.Origins.OriginBody >/dev/null
log "instrumented $bin/Berth.Proxy.dll"

# dotnet is not an afl-instrumented binary (SharpFuzz is the fork server); no CPU governor or core
# pattern is changed (crashes are exceptions, reported by SharpFuzz, not signals); starting the
# runtime takes seconds.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export AFL_FORKSRV_INIT_TMOUT=60000 AFL_NO_AFFINITY=1 AFL_SKIP_CRASHES=1
export DOTNET_TieredPGO=0 DOTNET_TieredCompilation=0

stat_of() { sed -n "s/^$2 *: *//p" "$1" | head -n 1; }

summary=()
status=0
for t in "${targets[@]}"; do
  corpus="tests/Berth.Proxy.Fuzz/corpus/$t"
  out="$work/out/$t"
  rm -rf "$out" && mkdir -p "$(dirname "$out")"
  log "fuzzing $t for $seconds s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  afl-fuzz -i "$corpus" -o "$out" -t 5000 -m none -V "$seconds" -- "$(command -v dotnet)" "$bin/Berth.Proxy.Fuzz.dll" "$t" \
    >"$work/$t.log" 2>&1 || { tail -n 30 "$work/$t.log" >&2; die "afl-fuzz failed for $t (log: $work/$t.log)"; }

  stats="$out/default/fuzzer_stats"
  execs=$(stat_of "$stats" execs_done)
  paths=$(stat_of "$stats" corpus_count)
  found=$(stat_of "$stats" corpus_found)
  coverage=$(stat_of "$stats" bitmap_cvg)
  crashes=$(stat_of "$stats" saved_crashes)
  hangs=$(stat_of "$stats" saved_hangs)
  speed=$(stat_of "$stats" execs_per_sec)
  runtime=$(stat_of "$stats" run_time)
  line="$t: $execs executions in ${runtime}s ($speed/s), $paths paths ($found new), map coverage $coverage, $crashes crashes, $hangs hangs"
  echo "$line"
  summary+=("$line")

  shopt -s nullglob
  crash_files=("$out"/default/crashes/id:*)
  shopt -u nullglob
  if [ "${#crash_files[@]}" -gt 0 ]; then
    status=1
    echo "  crashes (kept in $out/default/crashes):"
    dotnet "$plain/Berth.Proxy.Fuzz.dll" "$t" "${crash_files[@]}" | sed 's/^/    /' || true
  fi

  # New interesting inputs: minimised to those that add coverage, named by content, up to the cap.
  queue="$out/default/queue"
  minimised="$work/min/$t"
  rm -rf "$minimised"
  if ! afl-cmin -i "$queue" -o "$minimised" -t 5000 -m none -- "$(command -v dotnet)" "$bin/Berth.Proxy.Fuzz.dll" "$t" >"$work/$t.cmin.log" 2>&1; then
    log "afl-cmin failed for $t (log: $work/$t.cmin.log): taking the queue's smallest inputs"
    mkdir -p "$minimised"
    find "$queue" -maxdepth 1 -type f -name 'id:*' -printf '%s %p\n' | sort -n | cut -d' ' -f2- | head -n "$max_corpus" \
      | xargs -r cp -t "$minimised"
  fi

  added=0
  have=$(find "$corpus" -type f | wc -l)
  declare -A known=()
  for file in "$corpus"/*; do known[$(sha1sum "$file" | cut -c1-16)]=1; done
  for file in $(find "$minimised" -type f -printf '%s %p\n' | sort -n | cut -d' ' -f2-); do
    [ "$have" -lt "$max_corpus" ] || break
    sum=$(sha1sum "$file" | cut -c1-16)
    [ -z "${known[$sum]:-}" ] || continue
    cp "$file" "$corpus/afl-$sum"
    known[$sum]=1
    added=$((added + 1))
    have=$((have + 1))
  done
  unset known
  echo "  corpus: $added inputs added, $have in $corpus"
done

echo
echo "summary ($(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '  %s\n' "${summary[@]}"
exit "$status"
