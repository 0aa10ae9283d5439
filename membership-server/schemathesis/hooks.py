"""Teaches schemathesis what Polar's OpenAPI leaves unsaid: its `uuid4` format, that stored
text holds no control characters, which ids the delete operations name, and which rules may
refuse each operation with a 422.

Polar types its ids as `format: uuid4` (Pydantic's UUID4). Schemathesis does not know the
format, so it would call any string a valid id and expect the server to take it; Polar's
server answers 422 to a non-UUID id, and so does this one. Generating real version-4 UUIDs
for that format is what the contract means.
"""

import os
import unicodedata
import uuid

from hypothesis import strategies as st

import schemathesis

schemathesis.openapi.format("uuid4", st.uuids(version=4).map(str))


# Text this service stores refuses control characters (docs/rules.md#values): a name,
# an external id, an external-id path segment or filter holding one is answered 422, on
# every backend alike. Polar's OpenAPI types these as plain strings, so schemathesis would
# call such text valid; keeping it out of the positive cases is what the contract means
# here (the refusal itself is pinned by membership-server/tests/api/stored_text.rs).
def _without_controls(value):
    if isinstance(value, str):
        return "".join(ch for ch in value if unicodedata.category(ch) != "Cc")
    return value


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    if path_parameters is None:
        return path_parameters
    cleaned = {key: _without_controls(value) for key, value in path_parameters.items()}
    return _pinned(context.operation, cleaned)


@schemathesis.hook
def map_query(context, query):
    if query is None:
        return query
    return {key: _without_controls(value) for key, value in query.items()}


# The delete operations' ids are pinned here rather than in schemathesis.toml's
# `parameters` (which force a value in every phase, over a stateful link's): a generated id
# becomes the disposable resource run.sh made for that delete, while an id the stateful
# phase linked from a create's answer is left alone, so the phase deletes what it created
# (and `ensure_resource_availability` and `use_after_free` judge real chains). Only a
# generated value that is a valid id is replaced: a negative case keeps its invalid one.
DELETE_PINS = {
    "customers:delete": {"id": "DELETE_CUSTOMER_ID"},
    "customers:delete_external": {"external_id": "=cus_delete"},
    "customers:members:delete": {"id": "CUSTOMER_ID", "member_id": "DELETE_MEMBER_ID"},
    "customers:members:delete_external": {"external_id": "=cus_1", "member_external_id": "=mem_delete"},
    "customer_portal:members:remove_member": {"id": "PORTAL_DELETE_MEMBER_ID"},
    "webhooks:delete_webhook_endpoint": {"id": "DELETE_WEBHOOK_ENDPOINT_ID"},
}


def _pin(source):
    return source[1:] if source.startswith("=") else os.environ.get(source)


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _pinned(operation, path_parameters):
    pins = DELETE_PINS.get(_operation_id(operation), {})
    pinned = dict(path_parameters)
    for name, source in pins.items():
        value = _pin(source)
        current = pinned.get(name)
        positive = _is_uuid(current) if name.endswith("id") and not name.endswith("external_id") else bool(current)
        if value and positive:
            pinned[name] = value
    return pinned


def _operation_id(operation):
    return operation.definition.raw.get("operationId")


# Per response, not per operation: a 422 passes only when its body names (in each issue's
# `ctx.code`, membership-server/src/error.rs) a rule code docs/rules.md#errors lists for that operation.
# `invalid_input` is the code of every parse failure: a schema-valid value the crate's
# stricter parsers refuse (an email, docs/rules.md#email; an over-long or control-character
# text, docs/rules.md#values; a field the crate does not keep). Anything else (a rule the
# operation cannot break, or a 422 with no code) is a failure.
RULES = {
    # CUS-3: role owner; external id taken within the customer (Polar's server 500s).
    "customers:members:create": {"invalid_input", "owner_role_not_creatable", "external_id_taken"},
    "customers:members:create_external": {"invalid_input", "owner_role_not_creatable", "external_id_taken"},
    "members:create_member": {"invalid_input", "owner_role_not_creatable", "external_id_taken"},
    # CUS-4: email taken or locked, the only owner demoted.
    "customers:members:update": {
        "invalid_input",
        "member_email_taken",
        "individual_customer_email_locked",
        "customer_needs_one_owner",
    },
    "customers:members:update_external": {
        "invalid_input",
        "member_email_taken",
        "individual_customer_email_locked",
        "customer_needs_one_owner",
    },
    # CUS-5: the only owner.
    "customers:members:delete": {"invalid_input", "only_owner_cannot_be_deleted"},
    "customers:members:delete_external": {"invalid_input", "only_owner_cannot_be_deleted"},
    "customers:members:get": {"invalid_input"},
    "customers:members:get_external": {"invalid_input"},
    "members:list_members": {"invalid_input"},
    # CUS-8 then CUS-3/4/5 in the portal.
    "customer_portal:members:list_members": {"invalid_input"},
    "customer_portal:members:add_member": {"invalid_input", "owner_role_not_creatable", "external_id_taken"},
    "customer_portal:members:update_member": {
        "invalid_input",
        "cannot_change_own_role",
        "only_owner_can_transfer",
        "customer_needs_one_owner",
    },
    "customer_portal:members:remove_member": {"invalid_input", "cannot_remove_self", "only_owner_cannot_be_deleted"},
    # CUS-2 (a team customer's owner needs an email), CUS-3 (the owner's external id).
    "customers:create": {"invalid_input", "owner_email_required", "external_id_taken"},
    # CUS-7 (the owner's email follows), CUS-4 (a team member has it), CUS-9 (team -> individual).
    "customers:update": {"invalid_input", "member_email_taken", "customer_kind_downgrade"},
    "customers:update_external": {"invalid_input", "member_email_taken", "customer_kind_downgrade"},
    "customers:delete": {"invalid_input"},
    "customers:delete_external": {"invalid_input"},
    "customers:get": {"invalid_input"},
    "customers:get_external": {"invalid_input"},
    "customers:list": {"invalid_input"},
    "customer-sessions:create": {"invalid_input"},
    "customer_portal:customer-session:introspect": {"invalid_input"},
    "organizations:list": {"invalid_input"},
    # ORG-3 (the caller becomes the owner) has no 422 of its own.
    "organizations:create": {"invalid_input"},
    "organizations:get": {"invalid_input"},
    "organizations:update": {"invalid_input"},
    "webhooks:list_webhook_endpoints": {"invalid_input"},
    "webhooks:create_webhook_endpoint": {"invalid_input"},
    "webhooks:get_webhook_endpoint": {"invalid_input"},
    "webhooks:update_webhook_endpoint": {"invalid_input"},
    "webhooks:delete_webhook_endpoint": {"invalid_input"},
    "webhooks:reset_webhook_endpoint_secret": {"invalid_input"},
    "webhooks:list_webhook_deliveries": {"invalid_input"},
    "webhooks:redeliver_webhook_event": {"invalid_input"},
}


@schemathesis.check
def rule_codes_per_response(ctx, response, case):
    """A 422 must name (in `ctx.code`) a rule docs/rules.md#errors lists for the operation."""
    operation_id = _operation_id(case.operation)
    if response.status_code != 422:
        return None
    allowed = RULES.get(operation_id)
    if allowed is None:
        raise AssertionError(f"{operation_id}: no entry in hooks.py's RULES; add the codes docs/rules.md#errors lists for it")
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    codes = [
        (issue.get("ctx") or {}).get("code") if isinstance(issue, dict) else None
        for issue in (detail if isinstance(detail, list) else [None])
    ]
    unlisted = sorted({str(code) for code in codes if code not in allowed})
    if unlisted:
        raise AssertionError(
            f"422 on {operation_id} names {', '.join(unlisted)}; docs/rules.md#errors lists only "
            f"{', '.join(sorted(allowed))} for it (hooks.py RULES)"
        )
    return None
