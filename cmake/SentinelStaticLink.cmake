# The "mostly static" release link (SENTINEL_STATIC=ON); see shared/TOOLCHAIN.md.
#
# Included by SentinelDependencies.cmake right after every find_package() and before
# SentinelTargets.cmake defines sentinel_flags, so this file touches only what exists by then:
#
# 1. It repoints the imported dependency targets at Debian's static archives. Every library and
#    executable that links PostgreSQL::PostgreSQL, yaml-cpp, SQLite::SQLite3, PkgConfig::ZSTD or
#    ZLIB::ZLIB then gets the archive without knowing about this mode. Protobuf is already static
#    through Protobuf_USE_STATIC_LIBS, set before find_package(Protobuf).
#    libnats and OpenSSL stay shared: Debian ships no libnats .a, and libnats loads the shared
#    OpenSSL anyway, so a static copy would map two OpenSSLs for nothing.
#
# 2. It defines the INTERFACE target sentinel_static_link with -static-libstdc++ -static-libgcc,
#    which only executables should carry. The executables in src/app link it; the target exists
#    only in this mode, so link it as
#      target_link_libraries(sentineld PRIVATE $<TARGET_NAME_IF_EXISTS:sentinel_static_link>)
#
# Use fmt::fmt-header-only, never fmt::fmt: Debian has no libfmt.a, so fmt::fmt stays shared.
#
# What remains dynamic (ldd): libnats, libssl, libcrypto, libprotobuf-c (through libnats) and
# glibc. A target machine needs the packages libc6 libssl3 libnats3.4 libprotobuf-c1.

# sentinel_use_archive(<imported target> <archive> [<dependency>...])
# Makes <imported target> link <archive> in every configuration, followed by the libraries the
# archive needs (a shared library records those itself; an archive cannot).
function(sentinel_use_archive target archive)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    # pkg_check_modules(IMPORTED_TARGET) lists the library file itself as a link item.
    set_target_properties(${target} PROPERTIES INTERFACE_LINK_LIBRARIES "${archive};${ARGN}")
    return()
  endif()
  # FindZLIB and yaml-cpp's config set per-configuration locations, which win over
  # IMPORTED_LOCATION: replace those too.
  set_target_properties(${target} PROPERTIES IMPORTED_LOCATION "${archive}")
  get_target_property(configs ${target} IMPORTED_CONFIGURATIONS)
  if(configs)
    foreach(config IN LISTS configs)
      set_target_properties(${target} PROPERTIES IMPORTED_LOCATION_${config} "${archive}")
    endforeach()
  endif()
  if(ARGN)
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_LINK_LIBRARIES ${ARGN})
  endif()
endfunction()

# sentinel_find_archive(<variable> <file name> <package that ships it> [<directory>...])
function(sentinel_find_archive variable name package)
  find_library(${variable} NAMES ${name} HINTS ${ARGN} NO_CACHE)
  if(NOT ${variable})
    message(FATAL_ERROR "SENTINEL_STATIC: ${name} not found; install the Debian package ${package}"
                        " (scripts/bootstrap.sh does)")
  endif()
  set(${variable} "${${variable}}" PARENT_SCOPE)
endfunction()

# A function, so that the paths found here stay out of the including scope.
function(sentinel_setup_static_link)
  add_library(sentinel_static_link INTERFACE)
  target_link_options(sentinel_static_link INTERFACE -static-libstdc++ -static-libgcc)

  if(NOT Protobuf_LIBRARY MATCHES "\\.a$")
    message(FATAL_ERROR "SENTINEL_STATIC: FindProtobuf picked ${Protobuf_LIBRARY}, not libprotobuf.a")
  endif()
  # libprotobuf.a compresses with zlib (gzip streams); the shared library would have recorded that.
  set_property(TARGET protobuf::libprotobuf APPEND PROPERTY INTERFACE_LINK_LIBRARIES ZLIB::ZLIB)

  # libpq: the archive, then the two helper archives from postgresql-server-dev-15 that libpq.so
  # has folded in (the _shlib variants are the position-independent builds), then OpenSSL, then
  # failing GSSAPI/LDAP stubs (see pq_stubs.c for what that gives up and why).
  find_program(SENTINEL_PG_CONFIG pg_config)
  if(NOT SENTINEL_PG_CONFIG)
    message(FATAL_ERROR "SENTINEL_STATIC: pg_config not found; install libpq-dev")
  endif()
  execute_process(COMMAND ${SENTINEL_PG_CONFIG} --pkglibdir
                  OUTPUT_VARIABLE pg_pkglibdir OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  get_filename_component(pq_dir "${PostgreSQL_LIBRARY}" DIRECTORY)
  sentinel_find_archive(libpq_a libpq.a libpq-dev ${pq_dir})
  sentinel_find_archive(pgcommon_a libpgcommon_shlib.a postgresql-server-dev-15 ${pg_pkglibdir})
  sentinel_find_archive(pgport_a libpgport_shlib.a postgresql-server-dev-15 ${pg_pkglibdir})

  add_library(sentinel_pq_stubs STATIC ${CMAKE_CURRENT_LIST_DIR}/pq_stubs.c)
  set_target_properties(sentinel_pq_stubs PROPERTIES C_STANDARD 11 C_EXTENSIONS OFF)
  target_compile_options(sentinel_pq_stubs PRIVATE -Wall -Wextra -Werror)

  sentinel_use_archive(PostgreSQL::PostgreSQL ${libpq_a}
    ${pgcommon_a} ${pgport_a} sentinel_pq_stubs OpenSSL::SSL OpenSSL::Crypto Threads::Threads)

  sentinel_find_archive(yaml_cpp_a libyaml-cpp.a libyaml-cpp-dev)
  sentinel_use_archive(yaml-cpp ${yaml_cpp_a})

  # SQLite uses libm for its SQL math functions and dlopen for extensions.
  sentinel_find_archive(sqlite3_a libsqlite3.a libsqlite3-dev)
  sentinel_use_archive(SQLite::SQLite3 ${sqlite3_a} m ${CMAKE_DL_LIBS} Threads::Threads)

  # libzstd.a is built multithreaded.
  sentinel_find_archive(zstd_a libzstd.a libzstd-dev)
  sentinel_use_archive(PkgConfig::ZSTD ${zstd_a} Threads::Threads)

  sentinel_find_archive(zlib_a libz.a zlib1g-dev)
  sentinel_use_archive(ZLIB::ZLIB ${zlib_a})
endfunction()

sentinel_setup_static_link()
