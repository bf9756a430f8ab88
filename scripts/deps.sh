#!/usr/bin/env bash
# Installs what esdb builds with, from Debian 12 packages; quiet and quick
# when everything is already there.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libsnappy-dev libboost-iostreams-dev libxxhash-dev
  libcli11-dev libsimdjson-dev nlohmann-json3-dev
  zlib1g-dev libbz2-dev libzstd-dev
  googletest libgtest-dev libbenchmark-dev
  clang libclang-rt-14-dev
  help2man  # the esdb man page (cmake/docs.cmake)
  libcurl4-openssl-dev  # remote archives: http(s):// and s3:// (lib/remote)
  libpugixml-dev  # S3's XML answers (lib/remote/s3_list.cc)
  nginx-light  # the remote tests' HTTP server (tests/remote/servers.h)
  openssl  # the https tests' certificate (tests/remote_tls_test.cc)
  python3 python3-dev pybind11-dev python3-pybind11 python3-pytest python3-numpy python3-pandas python3-dask python3-distributed
  ${ESDB_EXTRA_PACKAGES:-}
)
# node and npm run s3rver, the remote tests' S3 server; a node from elsewhere
# (nodesource bundles npm) is kept.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# s3rver (an S3-compatible store) and aws4 (with which the tests' wrapper,
# tests/remote/s3_server.js, checks signatures), outside the repository.
npm_prefix="${ESDB_NPM_PREFIX:-/opt/esdb-npm}"
if ! grep -qs '"version": "3.7.1"' "$npm_prefix/node_modules/s3rver/package.json" ||
   ! grep -qs '"version": "1.13.2"' "$npm_prefix/node_modules/aws4/package.json"; then
  echo "installing s3rver@3.7.1 aws4@1.13.2 into $npm_prefix"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd mkdir -p "$npm_prefix"
  $sudo_cmd npm install --prefix "$npm_prefix" --no-audit --no-fund --loglevel=error s3rver@3.7.1 aws4@1.13.2 >/dev/null
fi
