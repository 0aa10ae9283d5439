#!/usr/bin/env bash
# The web pages in a real browser (issue 19): Debian's chromium driven by playwright-core
# (no browser download: `playwright` itself is not used), axe-core for accessibility. Each
# test starts its own server over a new SQLite database; every flow runs with JavaScript
# enabled and disabled. Installs chromium when missing, builds the server (into
# CARGO_TARGET_DIR when set), `npm ci` from the lockfile, then `node --test`.
#
# MEMBERSHIP_SCREENSHOTS=docs/screenshots saves one PNG per page there (relative to the
# directory this is run from). Arguments are passed to `node --test` (a file, or
# `--test-name-pattern=...`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# Debian's chromium, installed when missing: `apt-get update` only when the package lists
# do not know it yet. The log is shown only when the install fails.
if [ ! -x /usr/bin/chromium ] && [ -z "${MEMBERSHIP_CHROMIUM:-}" ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  log="$(mktemp)"
  echo "browser: installing chromium (apt-get)"
  if ! { $sudo apt-get install -y -q chromium chromium-driver >"$log" 2>&1 \
    || { $sudo apt-get update -q >>"$log" 2>&1 && $sudo apt-get install -y -q chromium chromium-driver >>"$log" 2>&1; }; }; then
    cat "$log" >&2
    exit 1
  fi
  rm -f "$log"
fi

cargo build -q -p membership-server --manifest-path "$root/Cargo.toml"
export MEMBERSHIP_SERVER_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/membership-server"
if [ -n "${MEMBERSHIP_SCREENSHOTS:-}" ]; then
  mkdir -p "$MEMBERSHIP_SCREENSHOTS"
  MEMBERSHIP_SCREENSHOTS="$(cd "$MEMBERSHIP_SCREENSHOTS" && pwd)"
  export MEMBERSHIP_SCREENSHOTS
fi

cd "$here"
npm ci --no-audit --no-fund --silent
# One file at a time: each test runs a server and a browser, on a small machine.
if [ "$#" -eq 0 ]; then set -- tests/*.test.mjs; fi
exec node --test --test-concurrency=1 "$@"
