"""Teaches schemathesis what Polar's OpenAPI leaves unsaid: its `uuid4` format, and that
stored text holds no control characters.

Polar types its ids as `format: uuid4` (Pydantic's UUID4). Schemathesis does not know the
format, so it would call any string a valid id and expect the server to take it; Polar's
server answers 422 to a non-UUID id, and so does this one. Generating real version-4 UUIDs
for that format is what the contract means.
"""

import unicodedata

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
    return {key: _without_controls(value) for key, value in path_parameters.items()}


@schemathesis.hook
def map_query(context, query):
    if query is None:
        return query
    return {key: _without_controls(value) for key, value in query.items()}
