#!/usr/bin/env bash
# The service's load bench on a real, throwaway PostgreSQL cluster (Debian's pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/.."
pg_virtualenv -- cargo bench -p membership-server --bench load "$@"
