#!/usr/bin/env bash
# Proves esdb is usable as an installed library, the way a service team
# would use it (README "Install and use from your project"):
#   1. a Release build of the library and tool, `cmake --install` into a
#      staging prefix; each public header compiles alone with -Werror;
#   2. examples/consumer built against it with find_package(esdb), and the
#      same program with pkg-config and a plain g++ line, both run;
#   3. the man page and bash completion installed and working;
#   4. `cpack -G DEB`, the .deb installed with apt-get, `esdb --help`, the
#      man page, and the consumer built against /usr; removed again at exit;
#   5. a BUILD_SHARED_LIBS=ON library: SONAME libesdb.so.<major>, and the
#      consumer linked to it.
# Needs root or sudo for step 4. Work goes to build-install*/ (ignored).
# ESDB_SKIP_INSTALL_TEST=1 skips it all (about 3 min of CPU from cold).
set -euo pipefail
if [ "${ESDB_SKIP_INSTALL_TEST:-0}" = 1 ]; then echo "install_test: skipped"; exit 0; fi
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)
work=$root/build-install-test
rm -rf "$work"
mkdir -p "$work"
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cxx=${CXX:-g++}
step() { echo "install_test: $*"; }
fail() { echo "install_test: FAILED: $*" >&2; exit 1; }

# ---- 1. staged install ----
step "Release build of the library and tool"
cmake -S . -B build-install -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" \
  -DESDB_BUILD_TOOLS=ON -DESDB_BUILD_TESTS=OFF -DESDB_BUILD_BENCH=OFF -DESDB_BUILD_FUZZ=OFF >/dev/null
cmake --build build-install -j"$jobs" >/dev/null
stage=$work/stage
cmake --install build-install --prefix "$stage" >/dev/null
libdir=$(cmake -LA -N build-install | sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p')
for f in include/esdb/esdb.h include/esdb/error.h "$libdir/libesdb.a" "$libdir/cmake/esdb/esdbConfig.cmake" \
         "$libdir/cmake/esdb/esdbConfigVersion.cmake" "$libdir/pkgconfig/esdb.pc" bin/esdb \
         share/man/man1/esdb.1 share/bash-completion/completions/esdb; do
  [ -f "$stage/$f" ] || fail "cmake --install did not install $f"
done
step "each public header alone, -Wall -Wextra -Werror"
for h in "$stage"/include/esdb/*.h; do
  echo "#include <esdb/$(basename "$h")>" |
    "$cxx" -std=c++20 -Wall -Wextra -Werror -fsyntax-only -I"$stage/include" -x c++ - ||
    fail "$h does not compile on its own"
done

# ---- 2. consumers of the staged install ----
run_consumer() {  # BINARY: writes and reads a file, must say ok
  "$1" "$work/consumer.esdb" | grep -q '^esdb_consumer: ok' || fail "$1 did not read back what it wrote"
}
step "examples/consumer with find_package(esdb) against the staged prefix"
cmake -S examples/consumer -B "$work/consumer-cmake" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$stage" >/dev/null
cmake --build "$work/consumer-cmake" >/dev/null
run_consumer "$work/consumer-cmake/esdb_consumer"
step "the same program with pkg-config and one g++ line"
# shellcheck disable=SC2046
"$cxx" -std=c++20 -Wall -Wextra -Werror examples/consumer/main.cc -o "$work/consumer-pc" \
  $(PKG_CONFIG_PATH="$stage/$libdir/pkgconfig" pkg-config --cflags --libs esdb)
run_consumer "$work/consumer-pc"

# ---- 3. man page and completion ----
step "man page and bash completion"
grep -q '^\.SS "esdb merge"' "$stage/share/man/man1/esdb.1" || fail "the man page lacks the merge command"
grep -q 'dedupe' "$stage/share/man/man1/esdb.1" || fail "the man page lacks merge's flags"
complete_words() {  # WORDS...: what completing the last word offers
  bash -c 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _esdb; echo "${COMPREPLY[*]}"' \
    "$stage/share/bash-completion/completions/esdb" "$@"
}
[ "$(complete_words esdb me)" = merge ] || fail "completion of 'esdb me': $(complete_words esdb me)"
[ "$(complete_words esdb merge --de)" = --dedupe ] || fail "completion of 'esdb merge --de'"
[ "$(complete_words esdb build out.esdb --ti)" = "--time --time-unit" ] || fail "completion of 'esdb build --ti'"

# ---- 4. the .deb ----
step "cpack -G DEB"
(cd build-install && cpack -G DEB >/dev/null)
deb=$(ls build-install/esdb_*_*.deb)
[ "$(echo "$deb" | wc -l)" = 1 ] || fail "expected one .deb, got: $deb"
echo "install_test: $(basename "$deb"): Depends: $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -f "$deb" Depends | grep -q libsnappy || fail "the .deb does not depend on the Snappy runtime"
remove_package() { $sudo_cmd flock /tmp/apt.lock apt-get remove -y -qq esdb >/dev/null 2>&1 || true; }
trap remove_package EXIT
step "apt-get install ./$(basename "$deb")"
DEBIAN_FRONTEND=noninteractive $sudo_cmd flock /tmp/apt.lock apt-get install -y -qq --no-install-recommends "./$deb" >/dev/null
[ "$(command -v esdb)" = /usr/bin/esdb ] || fail "esdb is not /usr/bin/esdb"
/usr/bin/esdb --help | grep -q merge || fail "esdb --help"
[ -f /usr/share/man/man1/esdb.1 ] || fail "the .deb has no man page"
[ -f /usr/share/bash-completion/completions/esdb ] || fail "the .deb has no bash completion"
step "examples/consumer against /usr, with CMake and with pkg-config"
cmake -S examples/consumer -B "$work/consumer-usr" -DCMAKE_BUILD_TYPE=Release >/dev/null
grep -q 'esdb_DIR:PATH=/usr/' "$work/consumer-usr/CMakeCache.txt" || fail "find_package did not find esdb in /usr"
cmake --build "$work/consumer-usr" >/dev/null
run_consumer "$work/consumer-usr/esdb_consumer"
# shellcheck disable=SC2046
"$cxx" -std=c++20 -Wall -Wextra -Werror examples/consumer/main.cc -o "$work/consumer-usr-pc" $(pkg-config --cflags --libs esdb)
run_consumer "$work/consumer-usr-pc"
remove_package
trap - EXIT
[ ! -e /usr/bin/esdb ] || fail "apt-get remove left /usr/bin/esdb"

# ---- 5. shared library ----
step "BUILD_SHARED_LIBS=ON: SONAME and a consumer linked to it"
cmake -S . -B build-install-shared -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" -DBUILD_SHARED_LIBS=ON \
  -DESDB_BUILD_TOOLS=OFF -DESDB_BUILD_TESTS=OFF -DESDB_BUILD_BENCH=OFF -DESDB_BUILD_FUZZ=OFF >/dev/null
cmake --build build-install-shared -j"$jobs" >/dev/null
shared=$work/stage-shared
cmake --install build-install-shared --prefix "$shared" >/dev/null
version=$(sed -n 's/^project(esdb VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
major=${version%%.*}
so=$shared/$libdir/libesdb.so.$version
[ -f "$so" ] || fail "no $so"
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libesdb.so.$major" ] || fail "SONAME is '$soname', not libesdb.so.$major"
[ -L "$shared/$libdir/libesdb.so.$major" ] && [ -L "$shared/$libdir/libesdb.so" ] || fail "libesdb.so links missing"
cmake -S examples/consumer -B "$work/consumer-shared" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$shared" >/dev/null
cmake --build "$work/consumer-shared" >/dev/null
readelf -d "$work/consumer-shared/esdb_consumer" | grep -q "NEEDED.*\[libesdb.so.$major\]" ||
  fail "the consumer does not link libesdb.so.$major"
run_consumer "$work/consumer-shared/esdb_consumer"
step "ok"
