#!/usr/bin/env bash
# Fails unless BINARY needs only glibc, libnats and libnats' own dependencies at run time: the
# promise of the release build (SENTINEL_STATIC, see shared/TOOLCHAIN.md and README.md).
# Usage: scripts/check-linkage.sh BINARY
set -euo pipefail

binary=${1:?usage: check-linkage.sh BINARY}
# Library names without their paths and versions' tails: "libssl.so.3", "ld-linux-x86-64.so.2".
needed() { ldd "$1" | awk '{print $1}' | xargs -rn1 basename | sort -u; }

nats=$(ldconfig -p | awk '/libnats\.so\./ {print $NF; exit}')
[[ -n $nats ]] || { echo "check-linkage: libnats is not installed (libnats-dev)" >&2; exit 2; }
# ldconfig lists the soname first (libnats.so.3.4), which is what ldd prints for the binary.
allowed=$( (needed "$nats"; basename "$nats"
            printf '%s\n' linux-vdso.so.1 libc.so.6 libm.so.6 libpthread.so.0 libdl.so.2 \
                          librt.so.1 libresolv.so.2 ld-linux-x86-64.so.2 ld-linux-aarch64.so.1) |
          sort -u)
unexpected=$(comm -23 <(needed "$binary") <(printf '%s\n' "$allowed"))
if [[ -n $unexpected ]]; then
  echo "check-linkage: $binary needs libraries the release build should link statically:" >&2
  echo "${unexpected//$'\n'/ }" >&2
  exit 1
fi
echo "check-linkage: $binary needs only glibc, libnats and its dependencies"
