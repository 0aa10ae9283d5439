#!/usr/bin/env bash
# Polar's TypeScript SDK against membership-server, end to end, one suite per client
# generation: gen-a/ (@polar-sh/sdk 0.48.1, the seed's snippet), this directory's e2e.mjs
# (0.49.0) and gen-c/ (1.0.1 in its three API versions). Each suite installs its SDK from
# its own lockfile and starts and stops the server itself. Builds the server first (into
# CARGO_TARGET_DIR when set).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cargo build -q -p membership-server --manifest-path "$root/Cargo.toml"
export MEMBERSHIP_SERVER_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/membership-server"
status=0
for suite in gen-a . gen-c; do
  echo "== sdk-e2e suite: ${suite/#./gen-b (0.49.0)}"
  (cd "$here/$suite" && npm ci --no-audit --no-fund --silent && node e2e.mjs) || status=1
done
exit "$status"
