#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) and runs each of them:
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
#
# For each target (fuzz_reader, fuzz_chunk, fuzz_record, fuzz_dump, fuzz_import, fuzz_log) it
#   1. replays the seed corpus fuzz/corpus/<target>/ and the saved findings
#      tests/regressions/<target>/, every input once;
#   2. fuzzes for SECONDS_PER_TARGET seconds, starting from a copy of the seed
#      corpus in build-fuzz/corpus-work/<target>/ (nothing in the repository
#      is written; new inputs stay in that scratch directory);
#   3. prints one summary line from libFuzzer's final stats.
# Any crash, sanitizer report, leak, timeout (> 10 s per input) or memory
# blow-up (> 2 GiB) is a finding: the input is saved under
# build-fuzz/fuzz-findings/<target>/, its path printed, and the script exits
# non-zero after the remaining targets have run (the next run clears that
# directory: keep what you need first). Logs: build-fuzz/fuzz-logs/.
#
# Reproduce a finding:  build-fuzz/fuzz/<target> <file>
# Keep it as a regression: copy it to tests/regressions/<target>/ (reader
# inputs there are also replayed by tests/fuzz_regression_test.cc).
#
# Environment: ESDB_FUZZ_BUILD_DIR (default build-fuzz), ESDB_FUZZ_TARGETS
# (default "fuzz_reader fuzz_chunk fuzz_record fuzz_dump fuzz_import fuzz_log"), ESDB_SKIP_DEPS=1 to skip
# scripts/deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]]; then
  echo "usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET]" >&2
  exit 2
fi
build=${ESDB_FUZZ_BUILD_DIR:-$root/build-fuzz}
targets=(${ESDB_FUZZ_TARGETS:-fuzz_reader fuzz_chunk fuzz_record fuzz_dump fuzz_import fuzz_log})
jobs=$(nproc)

[ "${ESDB_SKIP_DEPS:-0}" = 1 ] || bash scripts/deps.sh
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DESDB_SANITIZE=ON -DESDB_BUILD_FUZZ=ON -DESDB_BUILD_TOOLS=ON -DESDB_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
common=(-max_len=65536 -timeout=10 -rss_limit_mb=2048)
mkdir -p "$build/fuzz-logs"
failed=()

# Prints the inputs a failed run left in $1 (a directory), or its log.
report_finding() {
  local dir=$1 log=$2 found
  found=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' -o -name 'slow-unit-*' \) 2>/dev/null | sort)
  grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz_[a-z]+: |reader_ops: )' "$log" | head -5 >&2 || true
  if [ -n "$found" ]; then
    while read -r f; do echo "  finding: $f" >&2; done <<<"$found"
  else
    echo "  see $log" >&2
  fi
}

for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  name=${t#fuzz_}
  seeds="$root/fuzz/corpus/$name"
  regressions="$root/tests/regressions/$name"
  work="$build/corpus-work/$name"
  findings="$build/fuzz-findings/$name"
  rm -rf "$work" "$findings"  # findings of an earlier run are not reported again
  mkdir -p "$work" "$findings"
  cp -R "$seeds/." "$work/"

  # 1. Replay: every seed and saved finding once.
  replay=("$seeds")
  [ -d "$regressions" ] && replay+=("$regressions")
  log="$build/fuzz-logs/$name-replay.log"
  if ! "$bin" "${common[@]}" -runs=0 -artifact_prefix="$findings/" "${replay[@]}" >"$log" 2>&1; then
    echo "$t: replay FAILED" >&2
    report_finding "$findings" "$log"
    failed+=("$t")
    continue
  fi

  # 2. Fuzz.
  log="$build/fuzz-logs/$name.log"
  status=0
  "$bin" "${common[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$findings/" "$work" >"$log" 2>&1 || status=$?

  # 3. Summary from the last status line and the final stats.
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")
  if [ "$status" -eq 0 ]; then
    verdict=ok
  else
    verdict="FINDING (exit $status)"
  fi
  printf '%-12s %s: %s runs in %ss (%s/s), cov %s, ft %s, corpus %s, peak rss %s MB\n' \
    "$t" "$verdict" "${execs:-?}" "$seconds" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}"
  if [ "$status" -ne 0 ]; then
    report_finding "$findings" "$log"
    failed+=("$t")
  fi
done

if ((${#failed[@]})); then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzzing: no findings (${#targets[@]} targets, ${seconds}s each)"
