#!/usr/bin/env bash
# Installs dependencies, builds everything and runs every test:
#   1. the GoogleTest suite (release build),
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. the libFuzzer targets: corpora and saved findings replayed, then
#      ESDB_FUZZ_SECONDS (default 30) of fuzzing per target,
#   4. scripts/install_test.sh: install, find_package/pkg-config consumers,
#      the .deb installed and removed, the shared library's SONAME,
#   5. the benchmark against RocksDB, LevelDB and TrailDB, --small (built and
#      run so it cannot rot; its figures are not asserted),
#   6. the Python package (python/): the binding built for /usr/bin/python3,
#      then pytest, including Dask on a loopback LocalCluster with the issue's
#      1M rows (about 40 s on 2 cores; ESDB_DASK_ROWS=250000 for a quicker run).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
bash scripts/deps.sh

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DESDB_BUILD_TOOLS=ON -DESDB_BUILD_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DESDB_SANITIZE=ON -DCMAKE_CXX_COMPILER=clang++ -DESDB_BUILD_TOOLS=ON -DESDB_BUILD_TESTS=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j"$jobs")

bash scripts/install_test.sh

ESDB_SKIP_DEPS=1 bash scripts/fuzz.sh "${ESDB_FUZZ_SECONDS:-30}"

bash scripts/bench.sh --small

# 6. Python: pytest fails the script on any failure, and on "no tests ran" (exit 5).
cmake -S . -B build -DESDB_BUILD_PYTHON=ON >/dev/null
cmake --build build -j"$jobs" --target esdb_python esdb_cli
PYTHONPATH="$PWD/build/python" ESDB_CLI="$PWD/build/tools/esdb" ESDB_DASK_ROWS="${ESDB_DASK_ROWS:-1000000}" \
  /usr/bin/python3 -m pytest -q -rs -p no:cacheprovider python/tests
