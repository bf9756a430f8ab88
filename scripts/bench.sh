#!/usr/bin/env bash
# Builds and runs esdb_bench (bench/, BENCHMARKS.md):
#
#   bash scripts/bench.sh --small               # seconds of benchmarking; what CI runs
#   bash scripts/bench.sh --json bench.json     # the full run behind BENCHMARKS.md
#
# Installs the peers' Debian packages when missing (apt-get, as root or with
# sudo), configures and builds build-bench/ (Release), then runs esdb_bench
# with every argument given here. The built files go to a temporary
# directory unless --dir is given.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ESDB_BENCH_BUILD_DIR:-$root/build-bench}"

# Headers and libraries the benchmark needs beyond the library's own.
packages=(cmake g++ pkg-config libsnappy-dev libxxhash-dev libboost-iostreams-dev
          libcli11-dev nlohmann-json3-dev libsimdjson-dev
          librocksdb-dev libleveldb-dev libtraildb-dev zstd)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "bench.sh: installing ${missing[*]}" >&2
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "bench.sh: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs="$(nproc 2>/dev/null || echo 2)"
# ESDB_BENCH_CONFIGURE=0: $build is already configured with ESDB_BUILD_BENCH=ON
# (scripts/test.sh builds the bench with the suite; figures then are not
# Release figures, which --small does not claim anyway).
if [[ ${ESDB_BENCH_CONFIGURE:-1} != 0 ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DESDB_BUILD_BENCH=ON -DESDB_BUILD_TOOLS=ON -DESDB_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build" -j"$jobs" --target esdb_bench esdb_remote_bench

dir_given=0
for a in "$@"; do [[ $a == --dir || $a == --dir=* ]] && dir_given=1; done
extra=()
if ((!dir_given)); then
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/esdb-bench.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  extra=(--dir "$tmp/data")
fi
echo "bench.sh: load before the run: $(cut -d' ' -f1-3 /proc/loadavg) on $jobs cores" >&2
"$build/bench/esdb_bench" "${extra[@]}" "$@"
# Lookups over HTTP against nginx on loopback (BENCHMARKS.md "Remote reads");
# a few seconds with --small.
remote_args=()
for a in "$@"; do [[ $a == --small ]] && remote_args=(--small); done
"$build/bench/esdb_remote_bench" "${remote_args[@]}"
