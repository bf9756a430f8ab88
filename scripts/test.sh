#!/usr/bin/env bash
# Installs dependencies, builds everything and runs every test:
#   1. the GoogleTest suite (release build),
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. the libFuzzer targets: corpora and saved findings replayed, then
#      ESDB_FUZZ_SECONDS (default 30) of fuzzing per target,
#   4. scripts/install_test.sh: install, find_package/pkg-config consumers,
#      the .deb installed and removed, the shared library's SONAME,
#   5. the benchmark against RocksDB, LevelDB and TrailDB, --small (built in
#      build/ with the suite and run so it cannot rot; figures not asserted),
#   6. the Python package (python/): the binding built for /usr/bin/python3,
#      then pytest, including Dask on a loopback LocalCluster with the issue's
#      1M rows (about 40 s on 2 cores; ESDB_DASK_ROWS=250000 for a quicker run).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
# Each step's start, with the seconds spent so far: where CI's time goes.
step() { echo "== test.sh: $* (at ${SECONDS}s)"; }
# The benchmark's peers too, so that one build/ holds the suite, the bench and
# the Python binding (a separate Release build of the bench cost minutes).
ESDB_EXTRA_PACKAGES="${ESDB_EXTRA_PACKAGES:-} librocksdb-dev libleveldb-dev libtraildb-dev zstd" bash scripts/deps.sh

step "build and run the suite"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DESDB_BUILD_TOOLS=ON -DESDB_BUILD_TESTS=ON \
  -DESDB_BUILD_BENCH=ON -DESDB_BUILD_PYTHON=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

step "the suite under ASan+UBSan"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DESDB_SANITIZE=ON -DCMAKE_CXX_COMPILER=clang++ -DESDB_BUILD_TOOLS=ON -DESDB_BUILD_TESTS=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j"$jobs")

step "install test"
bash scripts/install_test.sh

step "fuzzing"
ESDB_SKIP_DEPS=1 bash scripts/fuzz.sh "${ESDB_FUZZ_SECONDS:-30}"

step "benchmark, --small"
ESDB_BENCH_BUILD_DIR="$PWD/build" ESDB_BENCH_CONFIGURE=0 bash scripts/bench.sh --small

# 6. Python: pytest fails the script on any failure, and on "no tests ran" (exit 5).
step "Python"
PYTHONPATH="$PWD/build/python" ESDB_CLI="$PWD/build/tools/esdb" ESDB_DASK_ROWS="${ESDB_DASK_ROWS:-1000000}" \
  /usr/bin/python3 -m pytest -q -rs -p no:cacheprovider python/tests
step "done"
