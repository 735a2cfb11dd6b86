"""Sign-in by email link: the mail, the link, single use, expiry, and bad input."""

from __future__ import annotations

import asyncio

from talkback.sites.sites import create_site
from tests.accounts.conftest import LINK, Mailbox
from tests.api.conftest import ARTICLE, ORIGIN, SITE, running_api
from tests.conftest import FrozenClock
from tests.mail_sink import MailSink, text_part


async def test_the_link_in_the_mail_signs_the_reader_in_once(mailbox: Mailbox) -> None:
    response = await mailbox.ask("Reader@Example.org")
    assert (response.status_code, response.json()) == (202, {"status": "link_sent"})
    [message] = await mailbox.sink.until(1)
    assert message["To"] == "reader@example.org"
    assert "The Example News" in message["Subject"]
    found = LINK.search(text_part(message))
    assert found is not None
    assert found.group(1) == ORIGIN + ARTICLE

    done = await mailbox.complete(found.group(2))
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["account"] == {"email": "reader@example.org", "display_name": None}
    me = await mailbox.me(body["reader_token"])
    assert me["account"] == {"email": "reader@example.org", "display_name": None}
    assert "reader_token" not in me

    again = await mailbox.complete(found.group(2))
    assert again.status_code == 410
    assert again.json()["error"]["code"] == "signin_link_used"


async def test_a_guest_has_no_account(mailbox: Mailbox) -> None:
    assert (await mailbox.me(None))["account"] is None


async def test_an_expired_link_is_refused(mailbox: Mailbox, frozen_clock: FrozenClock) -> None:
    _, token = await mailbox.link("late@example.org")
    frozen_clock.advance(minutes=15, seconds=1)
    response = await mailbox.complete(token)
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "signin_link_expired"


async def test_a_link_within_its_quarter_hour_works(
    mailbox: Mailbox, frozen_clock: FrozenClock
) -> None:
    _, token = await mailbox.link("prompt@example.org")
    frozen_clock.advance(minutes=14, seconds=59)
    assert (await mailbox.complete(token)).status_code == 200


async def test_a_link_back_to_an_absolute_article_url_on_the_site(mailbox: Mailbox) -> None:
    response = await mailbox.ask("a@example.org", uri=f"{ORIGIN}{ARTICLE}?page=2#comments")
    assert response.status_code == 202
    [message] = await mailbox.sink.until(1)
    found = LINK.search(text_part(message))
    assert found is not None
    assert found.group(1) == f"{ORIGIN}{ARTICLE}?page=2"


async def test_the_same_answer_whether_or_not_the_address_has_an_account(
    mailbox: Mailbox,
) -> None:
    await mailbox.sign_in("known@example.org")
    known = await mailbox.ask("known@example.org")
    unknown = await mailbox.ask("unknown@example.org")
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.headers.get("content-length") == unknown.headers.get("content-length")
    received = [str(message["To"]) for message in await mailbox.sink.until(3)]
    assert sorted(received) == ["known@example.org"] * 2 + ["unknown@example.org"]


async def test_tokens_that_were_never_issued_are_invalid(mailbox: Mailbox) -> None:
    for token in ("abc", "A" * 43):
        response = await mailbox.complete(token)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_signin_link"


async def test_bad_input_is_refused_with_422(mailbox: Mailbox) -> None:
    client = mailbox.api.client
    bad_requests = [
        (f"/api/v1/{SITE}/signin", {"email": "not an address", "uri": ARTICLE}),
        (f"/api/v1/{SITE}/signin", {"email": "a@example.org"}),
        (f"/api/v1/{SITE}/signin", {"email": "a@example.org", "uri": ""}),
        (f"/api/v1/{SITE}/signin", {"email": "a@example.org", "uri": "/a\x00b"}),
        (f"/api/v1/{SITE}/signin", {"email": "a@example.org", "uri": ARTICLE, "x": 1}),
        (f"/api/v1/{SITE}/signin/complete", {"token": "not a token!"}),
        (f"/api/v1/{SITE}/signin/complete", {"token": ""}),
        (f"/api/v1/{SITE}/signin/complete", {"token": "a" * 201}),
        (f"/api/v1/{SITE}/signin/complete", {}),
    ]
    for path, body in bad_requests:
        response = await client.post(path, json=body)
        assert response.status_code == 422, (body, response.text)
    assert mailbox.sink.messages == []


async def test_a_link_never_points_off_the_site(mailbox: Mailbox) -> None:
    response = await mailbox.ask("a@example.org", uri="https://attacker.example/steal")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "uri_not_on_site"
    assert mailbox.sink.messages == []


async def test_a_site_without_a_concrete_origin_cannot_send_links(mailbox: Mailbox) -> None:
    await create_site(mailbox.api.context.database, "open", name="Open", origins=["*"])
    response = await mailbox.api.client.post(
        "/api/v1/open/signin", json={"email": "a@example.org", "uri": ARTICLE}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "site_has_no_origin"


async def test_without_mail_there_is_no_sign_in(database_url: str) -> None:
    async with running_api(database_url, rate_limits="off") as api:
        response = await api.client.post(
            f"/api/v1/{SITE}/signin", json={"email": "a@example.org", "uri": ARTICLE}
        )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "mail_unavailable"


async def test_links_are_rate_limited_per_address_and_per_ip(
    database_url: str, mail_sink: MailSink
) -> None:
    async with running_api(database_url, rate_limits="on", smtp_url=mail_sink.url) as api:
        mailbox = Mailbox(api, mail_sink)
        per_address = [(await mailbox.ask("same@example.org")).status_code for _ in range(4)]
        assert per_address == [202, 202, 202, 429]
        per_ip = [(await mailbox.ask(f"r{n}@example.org")).status_code for n in range(8)]
        assert per_ip == [202] * 6 + [429] * 2
        refused = await mailbox.ask("another@example.org")
        assert refused.status_code == 429
        assert "Retry-After" in refused.headers
        await mail_sink.until(9)
    assert len(mail_sink.messages) == 9


async def test_two_links_of_a_new_address_completed_at_once_make_one_account(
    mailbox: Mailbox,
) -> None:
    _, first = await mailbox.link("twice@example.org")
    _, second = await mailbox.link("twice@example.org")
    answers = await asyncio.gather(mailbox.complete(first), mailbox.complete(second))
    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json()["reader_token"] == answers[1].json()["reader_token"]
