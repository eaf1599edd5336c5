# Every dependency comes from a Debian bookworm package; see shared/TOOLCHAIN.md for why each
# call has the form it has.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

find_package(Boost 1.81 CONFIG REQUIRED)
if(SENTINEL_STATIC)
  set(Protobuf_USE_STATIC_LIBS ON)
endif()
find_package(Protobuf 3.21 REQUIRED)
find_package(PostgreSQL REQUIRED)
pkg_check_modules(NATS REQUIRED IMPORTED_TARGET libnats)
find_package(OpenSSL 3 REQUIRED)
find_package(CLI11 2.1 CONFIG REQUIRED)
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
find_package(fmt 9 CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(SQLite3 REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
find_package(ZLIB REQUIRED)

if(SENTINEL_STATIC)
  include(SentinelStaticLink)
endif()
