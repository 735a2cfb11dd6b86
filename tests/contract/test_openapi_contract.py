"""`/openapi.json` is a contract: for every operation, on SQLite and on PostgreSQL, sent as a
signed-in admin's browser would send it (session cookie, CSRF token; the Talkback host as
`Origin` for the admin API, the newspaper's for the widget's), no case schemathesis derives
from the document, valid or invalid, gets a server error, and every answer's status code,
media type and body are ones the document declares.

Bounded and repeatable: schemathesis's coverage phase (each parameter's boundary and
invalid values) plus a fixed number of generated examples per operation, a fixed seed and
derandomized generation, so CI sends the same cases on every run. The newsroom fixture is
one per operation on purpose: its cases share the app and the session, as one admin's
browser would.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.contract.conftest import Generated, SignedInNewsroom, schema


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_answer_is_declared_and_none_is_a_server_error(
    case: Generated, signed_in_newsroom: SignedInNewsroom
) -> None:
    signed_in_newsroom.call_and_validate(case)
