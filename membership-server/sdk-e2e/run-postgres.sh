#!/usr/bin/env bash
# The SDK end to end (run.sh) on a throwaway PostgreSQL: Debian's pg_virtualenv starts one,
# exports PG*, and removes it afterwards. Installs Debian's postgresql if it is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v pg_virtualenv >/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
fi
pg_virtualenv -- sh -c \
  'MEMBERSHIP_E2E_DATABASE_URL="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE" "$0"/run.sh' "$here"
