# `cpack -G DEB` in the build directory: esdb_<version>_<arch>.deb with
# everything `cmake --install` puts under /usr. Its Depends are the Debian
# runtime libraries the tool links (found by dpkg-shlibdeps); building
# against the static library also needs the -dev packages it suggests.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME esdb)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "immutable per-key event archive files: library, headers and tool")
set(CPACK_PACKAGE_DESCRIPTION
  "esdb stores events per key in one immutable, checksummed file: a hash probe finds a key, its events\n"
  "stream oldest or newest first, by secondary index, group or time range. This package holds the C++\n"
  "library (CMake package esdb::esdb, pkg-config esdb), its headers and the esdb command.")
set(CPACK_PACKAGE_CONTACT "esdb maintainers <esdb@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # esdb_1.0.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libsnappy-dev, libboost-iostreams-dev, libxxhash-dev, libzstd-dev, libcurl4-openssl-dev, libpugixml-dev, pkg-config, bash-completion")
include(CPack)
