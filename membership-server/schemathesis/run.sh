#!/usr/bin/env bash
# schemathesis (pinned, in its own virtualenv) against membership-server with Polar's
# OpenAPI, both cuts (`cut.py` makes them from the fixtures): the member endpoints
# (members-2026-10) and the tenant around them (tenant-2026-10: customers, customer
# sessions, webhook endpoints and deliveries, organizations). Every check, plus the
# per-response 422 narrowing of hooks.py. Builds and starts the server on a free port over
# a throwaway SQLite file, sets up an organization, tokens and the resources the pinned
# path ids name (schemathesis.toml says which), runs one `st run` per cut, stops it.
#
#   membership-server/schemathesis/run.sh                   # the short seeded pass CI runs
#   membership-server/schemathesis/run.sh -n 500 --seed 7    # longer; any `st run` options
#   CUTS=tenant membership-server/schemathesis/run.sh        # one cut only
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/target/schemathesis-venv"
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
cargo build -q -p membership-server --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/debug/membership-server"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
database="sqlite://$work/schemathesis.db"
eval "$("$bin" --database-url "$database" setup --customer-external-id cus_1)"
EXTERNAL_CUSTOMER_ID=cus_1
export ORGANIZATION_ID CUSTOMER_ID EXTERNAL_CUSTOMER_ID MEMBER_ID POLAR_ACCESS_TOKEN USER_TOKEN MEMBER_SESSION_TOKEN
RUST_LOG=warn "$bin" --database-url "$database" serve --listen "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
# Waits for the server, then makes what the pinned ids name beyond setup's: members and
# customers for the delete operations to delete (so the kept ones stay for every later
# case), a kept member with an external id, webhook endpoints, and a webhook event.
eval "$(python3 - "$port" <<'PY'
import json, os, sys, time, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
for _ in range(200):
    try:
        urllib.request.urlopen(f"{base}/health", timeout=1)
        break
    except OSError:
        time.sleep(0.05)

def call(method, path, body=None):
    request = urllib.request.Request(
        base + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + os.environ["POLAR_ACCESS_TOKEN"], "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)

# Nothing listens on port 9: deliveries fail and are kept, which is all the redeliver needs.
endpoint = {"url": "http://127.0.0.1:9/hook", "format": "raw", "events": ["customer.created"]}
ids = {
    "WEBHOOK_ENDPOINT_ID": call("POST", "/v1/webhooks/endpoints", endpoint)["id"],
    "DELETE_WEBHOOK_ENDPOINT_ID": call("POST", "/v1/webhooks/endpoints", endpoint)["id"],
    "DELETE_CUSTOMER_ID": call("POST", "/v1/customers/", {"email": "delete.by.id@example.com"})["id"],
}
call("POST", "/v1/customers/", {"email": "delete.by.external.id@example.com", "external_id": "cus_delete"})
members = f"/v1/customers/{os.environ['CUSTOMER_ID']}/members"
ids["KEEP_MEMBER_ID"] = call("POST", members, {"email": "keep@example.com", "external_id": "mem_keep"})["id"]
ids["DELETE_MEMBER_ID"] = call("POST", members, {"email": "delete.by.id@example.com"})["id"]
call("POST", members, {"email": "delete.by.external.id@example.com", "external_id": "mem_delete"})
ids["PORTAL_DELETE_MEMBER_ID"] = call("POST", members, {"email": "delete.in.portal@example.com"})["id"]
deliveries = []
for _ in range(100):
    deliveries = call("GET", "/v1/webhooks/deliveries")["items"]
    if deliveries:
        break
    time.sleep(0.1)
ids["WEBHOOK_EVENT_ID"] = deliveries[0]["webhook_event"]["id"] if deliveries else "00000000-0000-4000-8000-000000000000"
for name, value in ids.items():
    print(f"export {name}={value}")
PY
)"
cd "$here"
if [ $# -eq 0 ]; then
  set -- --seed 20261201 --max-examples 25 --generation-deterministic
fi
status=0
for cut in ${CUTS:-members tenant}; do
  echo "== schemathesis: $cut-2026-10.openapi.json"
  SCHEMATHESIS_HOOKS=hooks "$venv/bin/st" run "$cut-2026-10.openapi.json" \
    --url "http://127.0.0.1:$port" --checks all --no-color --warnings off "$@" || status=$?
done
exit $status
