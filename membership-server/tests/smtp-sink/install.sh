#!/usr/bin/env bash
# Installs the SMTP sink (aiosmtpd, pinned in requirements.txt) into a virtualenv at
# target/smtp-sink-venv (or $1), once; prints the virtualenv's python. The team-flow test
# finds it there, or at MEMBERSHIP_SMTP_SINK_PYTHON.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
venv="${1:-${CARGO_TARGET_DIR:-$root/target}/smtp-sink-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
echo "$venv/bin/python"
