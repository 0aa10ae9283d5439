"""Teaches schemathesis the one string format Polar's OpenAPI uses that JSON Schema lacks.

Polar types its ids as `format: uuid4` (Pydantic's UUID4). Schemathesis does not know the
format, so it would call any string a valid id and expect the server to take it; Polar's
server answers 422 to a non-UUID id, and so does this one. Generating real version-4 UUIDs
for that format is what the contract means.
"""

from hypothesis import strategies as st

import schemathesis

schemathesis.openapi.format("uuid4", st.uuids(version=4).map(str))
