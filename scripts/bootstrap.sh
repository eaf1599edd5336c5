#!/usr/bin/env bash
# Installs every Debian 12 (bookworm) package needed to build, run and test sentineld.
# Run as root. Idempotent: when everything is already installed it touches neither the network
# nor the package database, so a second run takes well under a second.
# Usage: scripts/bootstrap.sh [--build-only]
#   --build-only   only what building the release binary needs (the Dockerfile's build stage)
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

# Build: compilers, CMake/Ninja, and the -dev packages the CMake files look for.
# postgresql-server-dev-15 carries libpgcommon_shlib.a/libpgport_shlib.a for the static libpq link.
readonly BUILD_PACKAGES=(
  libboost1.81-dev libprotobuf-dev protobuf-compiler libpq-dev libnats-dev libssl-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev pkg-config libyaml-cpp-dev libsqlite3-dev
  zlib1g-dev libzstd-dev postgresql-server-dev-15 cmake ninja-build g++ ccache ca-certificates
)
# Test and benchmark: the servers the integration tests start on free ports (scripts/services.sh),
# promtool/alertmanager/node-exporter/victoria-metrics for the monitoring tests, wrk and hyperfine.
readonly TEST_PACKAGES=(
  catch2 nats-server postgresql-15 prometheus prometheus-alertmanager prometheus-node-exporter
  victoria-metrics wrk hyperfine clang clang-format openssl curl python3
)

# Debian's default Boost (1.74) conflicts with libboost1.81-dev: apt would remove 1.81 to satisfy
# anything that pulls these, so refuse before changing the system.
readonly FORBIDDEN=(libboost-dev libboost1.74-dev)

readonly POLICY_RC=/usr/sbin/policy-rc.d

step() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

# Prints the packages of "$@" that are not fully installed ("ii"), one per line.
missing_packages() {
  local installed
  # dpkg-query exits non-zero when a name is unknown to dpkg; that just means "missing".
  installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "$@" 2>/dev/null \
                | awk '$1 == "ii" { print $2 }' || true)
  local pkg
  for pkg in "$@"; do
    grep -qxF -- "$pkg" <<<"$installed" || printf '%s\n' "$pkg"
  done
}

# Fails when the planned install would bring in a forbidden package.
check_plan() {
  local plan pkg
  # A simulation that fails is usually this very conflict, resolved by apt the hard way.
  if ! plan=$(apt-get install -s --no-install-recommends --no-upgrade "$@" 2>&1); then
    printf '%s\n' "$plan" >&2
    die "apt-get cannot resolve the package set (see above)"
  fi
  for pkg in "${FORBIDDEN[@]}"; do
    if grep -q "^Inst ${pkg} " <<<"$plan"; then
      die "installing would pull ${pkg}, which conflicts with libboost1.81-dev"
    fi
  done
}

# The integration tests start their own PostgreSQL and nats-server on free ports; daemons that
# package scripts start would hold the fixed default ports and run forever, so keep apt from
# starting any while it installs (containers usually have this file already).
block_service_starts() {
  if [[ -e $POLICY_RC ]]; then
    return
  fi
  step "blocking service starts during install (temporary ${POLICY_RC})"
  printf '#!/bin/sh\nexit 101\n' >"$POLICY_RC"
  chmod 0755 "$POLICY_RC"
  trap 'rm -f "$POLICY_RC"' EXIT
}

main() {
  [[ $(id -u) -eq 0 ]] || die "run as root (apt-get needs it)"

  local -a PACKAGES=("${BUILD_PACKAGES[@]}")
  case "${1:-}" in
    --build-only) ;;
    "") PACKAGES+=("${TEST_PACKAGES[@]}") ;;
    *) die "unknown argument: $1 (usage: scripts/bootstrap.sh [--build-only])" ;;
  esac

  local missing
  mapfile -t missing < <(missing_packages "${PACKAGES[@]}")
  if ((${#missing[@]} == 0)); then
    step "all ${#PACKAGES[@]} packages already installed, nothing to do"
    return
  fi
  step "missing ${#missing[@]} of ${#PACKAGES[@]} packages: ${missing[*]}"

  step "apt-get update"
  apt-get update -q

  step "checking the install plan pulls none of: ${FORBIDDEN[*]}"
  check_plan "${PACKAGES[@]}"

  block_service_starts
  # --no-upgrade: a package that is already there stays at its version; this script installs,
  # it does not upgrade the machine behind the developer's back.
  step "apt-get install -y --no-install-recommends --no-upgrade (${#PACKAGES[@]} packages)"
  apt-get install -y -q --no-install-recommends --no-upgrade "${PACKAGES[@]}"

  mapfile -t missing < <(missing_packages "${PACKAGES[@]}")
  ((${#missing[@]} == 0)) || die "still not installed after apt-get: ${missing[*]}"
  step "done: all ${#PACKAGES[@]} packages installed"
}

main "$@"
