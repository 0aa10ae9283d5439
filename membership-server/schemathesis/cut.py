#!/usr/bin/env python3
"""Cuts the two OpenAPI documents schemathesis runs from Polar's published fixtures, so the
cut is reproducible:

    python3 membership-server/schemathesis/cut.py [FIXTURES_DIR]   # default ../shared/fixtures/polar-openapi

* `members-2026-10.openapi.json`: the fixture as published (it is already the member cut),
  with OpenAPI links added (`LINKS`).
* `tenant-2026-10.openapi.json`: the fixture down to the operations this service serves.
  Left out: `GET /v1/customer-portal/customer-session/user`
  (`customer_portal:customer-session:get_authenticated_user`), which the service does not
  serve. Then the component schemas no operation reaches any more are dropped, and OpenAPI
  links are added for schemathesis' stateful phase (Polar's document has none; `LINKS` below
  says which), so it chains a create into the operations on what it created. One
  documented deviation (`DEVIATIONS`): the 404 a customer session create answers here.

Everything else (paths, parameters, bodies, responses, schemas) is as published.
"""

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_FIXTURES = HERE.parents[2] / "shared" / "fixtures" / "polar-openapi"

# Operations of the tenant fixture this service does not serve.
TENANT_LEFT_OUT = {"customer_portal:customer-session:get_authenticated_user"}

# (operation, status) -> {link name: (target operation, {parameter: runtime expression})}.
# Polar's documents have none; schemathesis' own link inference is off (schemathesis.toml),
# so these are the stateful phase's only chains.
# Each chains a create into the operations on the resource it created. Only creates: a read
# of a pinned resource linked into its delete would delete what later cases need.
LINKS = {
    # The members cut.
    ("customers:members:create", "201"): {
        "GetMember": ("customers:members:get", {"path.id": "$request.path.id", "path.member_id": "$response.body#/id"}),
        "UpdateMember": (
            "customers:members:update",
            {"path.id": "$request.path.id", "path.member_id": "$response.body#/id"},
        ),
        "DeleteMember": (
            "customers:members:delete",
            {"path.id": "$request.path.id", "path.member_id": "$response.body#/id"},
        ),
    },
    ("customer_portal:members:add_member", "201"): {
        "UpdatePortalMember": ("customer_portal:members:update_member", {"path.id": "$response.body#/id"}),
        "RemovePortalMember": ("customer_portal:members:remove_member", {"path.id": "$response.body#/id"}),
    },
    # The tenant cut.
    ("customers:create", "201"): {
        "GetCustomer": ("customers:get", {"path.id": "$response.body#/id"}),
        "UpdateCustomer": ("customers:update", {"path.id": "$response.body#/id"}),
        "DeleteCustomer": ("customers:delete", {"path.id": "$response.body#/id"}),
    },
    ("webhooks:create_webhook_endpoint", "201"): {
        "GetWebhookEndpoint": ("webhooks:get_webhook_endpoint", {"path.id": "$response.body#/id"}),
        "UpdateWebhookEndpoint": ("webhooks:update_webhook_endpoint", {"path.id": "$response.body#/id"}),
        "RotateWebhookEndpointSecret": (
            "webhooks:reset_webhook_endpoint_secret",
            {"path.id": "$response.body#/id"},
        ),
        "DeleteWebhookEndpoint": ("webhooks:delete_webhook_endpoint", {"path.id": "$response.body#/id"}),
    },
    ("organizations:create", "201"): {
        "GetOrganization": ("organizations:get", {"path.id": "$response.body#/id"}),
        "UpdateOrganization": ("organizations:update", {"path.id": "$response.body#/id"}),
    },
}

# Where this service answers differently from Polar's document on purpose, the cut says so
# rather than schemathesis.toml switching a check off. None today: a customer session for a
# customer or member that does not exist is Polar's 422 at the body field that named it.
DEVIATIONS: dict = {}


def add_deviations(document):
    by_id = {operation["operationId"]: operation for _, _, operation in operations(document)}
    for (operation_id, status), response in DEVIATIONS.items():
        if operation_id in by_id:
            by_id[operation_id]["responses"][status] = response


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                yield path, method, operation


def references(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "$ref" and isinstance(inner, str):
                yield inner.rsplit("/", 1)[-1]
            else:
                yield from references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from references(inner)


def prune_schemas(document):
    schemas = document["components"]["schemas"]
    reached, todo = set(), list(references(document["paths"]))
    while todo:
        name = todo.pop()
        if name in reached or name not in schemas:
            continue
        reached.add(name)
        todo.extend(references(schemas[name]))
    document["components"]["schemas"] = {name: schema for name, schema in schemas.items() if name in reached}


def add_links(document):
    by_id = {operation["operationId"]: operation for _, _, operation in operations(document)}
    for (source, status), links in LINKS.items():
        if source not in by_id:
            continue
        response = by_id[source]["responses"][status]
        response["links"] = {}
        for name, (target, parameters) in links.items():
            assert target in by_id, target
            link = {"operationId": target}
            if parameters:
                link["parameters"] = parameters
            response["links"][name] = link


def cut_tenant(document):
    for path, item in list(document["paths"].items()):
        for method, operation in list(item.items()):
            if isinstance(operation, dict) and operation.get("operationId") in TENANT_LEFT_OUT:
                del item[method]
        if not any(isinstance(operation, dict) and "operationId" in operation for operation in item.values()):
            del document["paths"][path]
    add_deviations(document)
    prune_schemas(document)
    add_links(document)
    return document


def write(document, name):
    (HERE / name).write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")


def main():
    fixtures = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FIXTURES
    members = json.loads((fixtures / "members-2026-10.openapi.json").read_text(encoding="utf-8"))
    add_links(members)
    write(members, "members-2026-10.openapi.json")
    tenant = json.loads((fixtures / "tenant-2026-10.openapi.json").read_text(encoding="utf-8"))
    write(cut_tenant(tenant), "tenant-2026-10.openapi.json")


if __name__ == "__main__":
    main()
