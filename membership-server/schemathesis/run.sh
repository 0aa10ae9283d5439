#!/usr/bin/env bash
# schemathesis (pinned, in its own virtualenv) against membership-server with Polar's
# OpenAPI for the member endpoints, every check. Builds and starts the server on a free
# port over a throwaway SQLite file, sets up an organization and tokens, runs, stops it.
#
#   membership-server/schemathesis/run.sh                 # the short seeded pass CI runs
#   membership-server/schemathesis/run.sh -n 500 --seed 7  # longer; any `st run` options
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/target/schemathesis-venv"
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
cargo build -q -p membership-server --manifest-path "$root/Cargo.toml"
bin="$root/target/debug/membership-server"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
database="sqlite://$work/schemathesis.db"
eval "$("$bin" --database-url "$database" setup --customer-external-id cus_1)"
export POLAR_ACCESS_TOKEN MEMBER_SESSION_TOKEN
RUST_LOG=warn "$bin" --database-url "$database" serve --listen "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
python3 - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(200):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=1)
        break
    except OSError:
        time.sleep(0.05)
PY
cd "$here"
if [ $# -eq 0 ]; then
  set -- --seed 20261201 --max-examples 25 --generation-deterministic
fi
SCHEMATHESIS_HOOKS=hooks "$venv/bin/st" run members-2026-10.openapi.json \
  --url "http://127.0.0.1:$port" --checks all --no-color --warnings off "$@"
