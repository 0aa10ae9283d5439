#!/usr/bin/env bash
# Polar's TypeScript SDK against membership-server, end to end: installs the SDK from the
# lockfile, builds the server, and runs e2e.mjs (which starts and stops the server).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cargo build -q -p membership-server --manifest-path "$root/Cargo.toml"
cd "$here"
npm ci --no-audit --no-fund --silent
MEMBERSHIP_SERVER_BIN="$root/target/debug/membership-server" node e2e.mjs
