#!/usr/bin/env bash
# Builds sentineld with the test preset (dev by default; asan: AddressSanitizer + UBSan), starts the test
# services (PostgreSQL, nats-server) on free loopback ports, runs every test through ctest, and
# stops the services whatever happens.
#
# Then it builds the libFuzzer targets with clang (the fuzz preset) and runs each for a short
# smoke run over its seed corpus.
#
# Usage: scripts/test.sh [ctest arguments...]     e.g. scripts/test.sh -L unit
# Env:   SENTINEL_TEST_PRESET=dev|asan  (default dev)
#        SENTINEL_TEST_FUZZ=0           skip the fuzz smoke runs
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

preset=${SENTINEL_TEST_PRESET:-dev}
say() { printf 'test: %s\n' "$*" >&2; }

say "configuring and building preset ${preset}"
cmake --preset "${preset}" >/dev/null
cmake --build --preset "${preset}"
fuzz=${SENTINEL_TEST_FUZZ:-1}
if [[ ${fuzz} != 0 ]]; then
  say "configuring and building the fuzz targets"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz
fi

services_dir=$(mktemp -d "${TMPDIR:-/tmp}/sentinel-test-services.XXXXXX")
# PostgreSQL runs as the unprivileged postgres user when we are root: it must reach its data dir.
chmod 755 "${services_dir}"
export SENTINEL_SERVICES_DIR="${services_dir}/set"
stop_services() { scripts/services.sh stop "${SENTINEL_SERVICES_DIR}" || true; rm -rf "${services_dir}"; }
trap stop_services EXIT
say "starting PostgreSQL and nats-server"
# Assigned first: `eval "$(...)"` would swallow a failed start under set -e.
service_env=$(scripts/services.sh start "${SENTINEL_SERVICES_DIR}")
eval "${service_env}"

say "running the tests"
ctest --preset "${preset}" "$@"
if [[ ${fuzz} != 0 ]]; then
  say "fuzz smoke runs"
  ctest --preset fuzz
fi
