#!/usr/bin/env bash
# Runs the store's and the service's whole suites against a real, throwaway PostgreSQL cluster: Debian's
# pg_virtualenv starts one, exports PG*, and removes it afterwards. Installs Debian's
# postgresql first if it is missing. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pg_virtualenv >/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
fi
# The team flow's SMTP sink (aiosmtpd in a virtualenv), so that test runs here too.
membership-server/tests/smtp-sink/install.sh >/dev/null
# The suites fail unless they really ran on PostgreSQL: the store's, then the service's.
# Then, one test at a time (RUST_TEST_THREADS=1, as `-- --test-threads=1` but composing
# with extra arguments), what stops the shared cluster and kills its backends, so nothing
# else may run meanwhile: the store's outage tests, and the service as a process.
MEMBERSHIP_EXPECT_BACKEND=postgres pg_virtualenv -- sh -c \
  'cargo test -p membership-sqlx --features postgres "$@" && cargo test -p membership-server --lib --bins --test api "$@" &&
   MEMBERSHIP_REQUIRE_SMTP=1 cargo test -p membership-server --test team_flow "$@" &&
   export MEMBERSHIP_PG_CLUSTER="$PGVERSION regress" RUST_TEST_THREADS=1 &&
   cargo test -p membership-sqlx --features postgres --test outage "$@" &&
   cargo test -p membership-server --test process "$@"' \
  -- "$@"
