#!/usr/bin/env bash
# Runs the store's whole suite against a real, throwaway PostgreSQL cluster: Debian's
# pg_virtualenv starts one, exports PG*, and removes it afterwards. Installs Debian's
# postgresql first if it is missing. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pg_virtualenv >/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
fi
# The suite fails unless it really ran on PostgreSQL.
MEMBERSHIP_EXPECT_BACKEND=postgres pg_virtualenv -- cargo test -p membership-sqlx --features postgres "$@"
