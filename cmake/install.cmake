# What `cmake --install` puts under the prefix, in the manner of fmt and
# spdlog: the public headers, libesdb (static, or shared with
# -DBUILD_SHARED_LIBS=ON), esdbConfig.cmake + version file exporting
# esdb::esdb, esdb.pc, and the esdb tool with its man page and bash
# completion (docs.cmake). package.cmake turns the same tree into a .deb.
include(CMakePackageConfigHelpers)

# SONAME libesdb.so.<major>: the major version moves with any ABI break, and
# with a new format version, so one SONAME never reads two formats differently.
set_target_properties(esdb PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})

set(ESDB_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/esdb)
install(TARGETS esdb EXPORT esdbTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The whole directory, so a public header added later is installed with no
# edit here; everything under lib/include/esdb/ must include only <esdb/...>
# and the standard library (scripts/install_test.sh compiles each alone).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/include/esdb DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(EXPORT esdbTargets NAMESPACE esdb:: DESTINATION ${ESDB_CMAKE_DIR})

# A static libesdb needs its dependencies at the consumer's link; a shared
# one has them recorded in its DT_NEEDED.
get_target_property(ESDB_LIBRARY_TYPE esdb TYPE)
if(ESDB_LIBRARY_TYPE STREQUAL "STATIC_LIBRARY")
  set(ESDB_STATIC ON)
else()
  set(ESDB_STATIC OFF)
endif()
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/esdbConfig.cmake.in
  ${PROJECT_BINARY_DIR}/esdbConfig.cmake INSTALL_DESTINATION ${ESDB_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/esdbConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/esdbConfig.cmake ${PROJECT_BINARY_DIR}/esdbConfigVersion.cmake
  DESTINATION ${ESDB_CMAKE_DIR})

# esdb.pc from the same variables. The prefix is found from the .pc file's
# own place (${pcfiledir}), so one file serves a staging prefix, /usr/local
# and the .deb's /usr alike.
file(RELATIVE_PATH ESDB_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" ESDB_PC_TO_PREFIX "${ESDB_PC_TO_PREFIX}")
set(ESDB_PC_DEPS "libxxhash snappy libzstd libcurl pugixml")
set(ESDB_PC_DEP_LIBS "-lboost_iostreams -pthread")  # Boost ships no .pc file
if(ESDB_STATIC)
  set(ESDB_PC_REQUIRES "Requires: ${ESDB_PC_DEPS}")
  set(ESDB_PC_LIBS "-lesdb ${ESDB_PC_DEP_LIBS}")
  set(ESDB_PC_LIBS_PRIVATE "")
else()
  set(ESDB_PC_REQUIRES "Requires.private: ${ESDB_PC_DEPS}")
  set(ESDB_PC_LIBS "-lesdb")
  set(ESDB_PC_LIBS_PRIVATE "Libs.private: ${ESDB_PC_DEP_LIBS}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/esdb.pc.in ${PROJECT_BINARY_DIR}/esdb.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/esdb.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

if(TARGET esdb_cli)
  install(TARGETS esdb_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  if(NOT ESDB_STATIC)
    set_target_properties(esdb_cli PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  endif()
  include(${CMAKE_CURRENT_LIST_DIR}/docs.cmake)
endif()

include(${CMAKE_CURRENT_LIST_DIR}/package.cmake)
