# Dependencies of libldp, gathered into one interface target: ldp_deps.
#
# 1. Debian -dev packages: scripts/deps.sh installs the missing ones at
#    configure time (set LDP_INSTALL_PACKAGES=OFF to skip).
# 2. DuckDB: a system libduckdb (pkg-config), else LDP_DUCKDB_DIR, else the
#    pinned release fetched by scripts/deps.sh into LDP_DEPS_DIR (inside the
#    build tree unless told otherwise).
option(LDP_INSTALL_PACKAGES "Install missing Debian packages at configure time" ON)
set(LDP_DEPS_DIR "${CMAKE_BINARY_DIR}/_deps" CACHE PATH "Where fetched dependencies are unpacked")
set(LDP_DUCKDB_DIR "$ENV{LDP_DUCKDB_DIR}" CACHE PATH "A directory holding libduckdb.so and duckdb.h")

if(LDP_INSTALL_PACKAGES)
  execute_process(COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/deps.sh packages RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ldp: installing Debian packages failed (see above)")
  endif()
endif()

find_package(PkgConfig REQUIRED)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)
pkg_check_modules(YAML REQUIRED IMPORTED_TARGET yaml-0.1)
# line editing for ldp shell (the command only, not libldp)
pkg_check_modules(LIBEDIT REQUIRED IMPORTED_TARGET libedit)
find_library(SNAPPY_LIB snappy REQUIRED)
find_package(Threads REQUIRED)

pkg_check_modules(DUCKDB QUIET IMPORTED_TARGET duckdb)
if(DUCKDB_FOUND)
  message(STATUS "ldp: using system DuckDB ${DUCKDB_VERSION}")
  set(LDP_DUCKDB_TARGET PkgConfig::DUCKDB)
  set(LDP_DUCKDB_LIBDIR "${DUCKDB_LIBDIR}")
else()
  if(LDP_DUCKDB_DIR)
    set(ENV{LDP_DUCKDB_DIR} "${LDP_DUCKDB_DIR}")
  endif()
  execute_process(COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/deps.sh duckdb ${LDP_DEPS_DIR} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ldp: obtaining DuckDB failed (see above)")
  endif()
  file(GLOB duckdb_dirs ${LDP_DEPS_DIR}/duckdb-*)
  list(GET duckdb_dirs 0 duckdb_root)
  add_library(ldp_duckdb SHARED IMPORTED)
  set_target_properties(ldp_duckdb PROPERTIES
    IMPORTED_LOCATION ${duckdb_root}/lib/libduckdb.so
    INTERFACE_INCLUDE_DIRECTORIES ${duckdb_root}/include)
  set(LDP_DUCKDB_TARGET ldp_duckdb)
  set(LDP_DUCKDB_LIBDIR ${duckdb_root}/lib)
  message(STATUS "ldp: using DuckDB from ${duckdb_root}")
endif()

# Executables find libduckdb without LD_LIBRARY_PATH.
set(CMAKE_BUILD_RPATH "${LDP_DUCKDB_LIBDIR}")
set(CMAKE_INSTALL_RPATH "${LDP_DUCKDB_LIBDIR}")

add_library(ldp_deps INTERFACE)
target_link_libraries(ldp_deps INTERFACE ${LDP_DUCKDB_TARGET} PkgConfig::JANSSON PkgConfig::SQLITE3
  PkgConfig::ZLIB PkgConfig::CURL PkgConfig::MHD PkgConfig::YAML ${SNAPPY_LIB} Threads::Threads m)
