"""Double opt-in: a confirmation mail, a page whose GET changes nothing, a POST that confirms."""

from __future__ import annotations

from tests.api.conftest import ARTICLE, SITE
from tests.mail_sink import html_part, text_part
from tests.subscriptions.conftest import Subscriber, link_in


async def test_a_subscription_is_confirmed_by_the_button_behind_the_mailed_link(
    subscriber: Subscriber,
) -> None:
    # An article nobody has commented on yet can be followed.
    response = await subscriber.subscribe("tom@readers.example", "thread")
    assert response.status_code == 202, response.text
    answer = response.json()
    assert answer["status"] == "confirmation_sent"
    assert answer["subscription"] == {
        "id": answer["subscription"]["id"], "kind": "thread", "uri": ARTICLE,
        "comment_id": None, "confirmed": False,
    }  # fmt: skip
    mail = await subscriber.mail_to("tom@readers.example")
    assert "confirm" in str(mail["Subject"]).lower()
    assert "The Example News" in str(mail["From"])
    assert mail["List-Unsubscribe"] is None
    link = link_in(mail, "/api/v1/subscriptions/confirm")
    assert link in html_part(mail)
    assert f"https://news.example{ARTICLE}" in text_part(mail)

    # Opening the link (a mail scanner does) shows a button and confirms nothing.
    page = await subscriber.follow(link)
    assert page.status_code == 200
    assert '<form method="post">' in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    await subscriber.api.posted("Before the confirmation", email="rob@readers.example")
    assert await subscriber.settle() == ["subscription_confirm:sent"]
    assert len(subscriber.sink.to("tom@readers.example")) == 1

    confirmed = await subscriber.follow(link, "POST")
    assert confirmed.status_code == 200
    assert "Notifications are on" in confirmed.text
    assert "/api/v1/subscriptions/manage?token=" in confirmed.text
    await subscriber.api.posted("After the confirmation", email="rob@readers.example")
    notification = await subscriber.mail_to("tom@readers.example", 2)
    assert "After the confirmation" in text_part(notification)
    assert "Before the confirmation" not in text_part(notification)


async def test_asking_again_resends_until_confirmed_and_then_sends_nothing(
    subscriber: Subscriber,
) -> None:
    first = await subscriber.subscribe("tom@readers.example")
    again = await subscriber.subscribe("Tom@Readers.Example")
    assert again.json()["status"] == "confirmation_sent"
    assert again.json()["subscription"]["id"] == first.json()["subscription"]["id"]
    second_mail = await subscriber.mail_to("tom@readers.example", 2)
    await subscriber.follow(link_in(second_mail, "/api/v1/subscriptions/confirm"), "POST")

    once_more = await subscriber.subscribe("tom@readers.example")
    assert once_more.status_code == 202
    assert once_more.json()["status"] == "subscribed"
    assert once_more.json()["subscription"]["confirmed"] is True
    assert await subscriber.settle() == ["subscription_confirm:sent"] * 2
    assert len(subscriber.sink.to("tom@readers.example")) == 2


async def test_a_confirmation_link_is_checked(subscriber: Subscriber) -> None:
    await subscriber.subscribe("tom@readers.example")
    link = link_in(await subscriber.mail_to("tom@readers.example"), "/api/v1/subscriptions/confirm")
    forged = link[:-3] + ("xyz" if not link.endswith("xyz") else "abc")
    for method in ("GET", "POST"):
        refused = await subscriber.follow(forged, method)
        assert refused.status_code == 400
        assert "not valid" in refused.text
    # An unsubscribe token is no confirmation token.
    response = await subscriber.client.post(
        "/api/v1/subscriptions/confirm", params={"token": "e30.e30"}
    )
    assert response.status_code == 400


async def test_a_signed_in_reader_is_subscribed_at_once_without_mail(
    subscriber: Subscriber,
) -> None:
    from sqlalchemy import insert

    from talkback import clock
    from talkback.readers.tokens import verify_reader_token
    from talkback.store.tables import reader_accounts

    token = await subscriber.api.reader_token()
    reader_id = verify_reader_token("test-secret-key", token)
    await subscriber.api.context.database.write(
        lambda conn: conn.execute(
            insert(reader_accounts).values(
                id=reader_id, site_id=SITE, email="Ada@Readers.example", created_at=clock.now()
            )
        )
    )
    without_email = await subscriber.subscribe(None, "thread", token=token)
    assert without_email.status_code == 202, without_email.text
    assert without_email.json()["status"] == "subscribed"
    own_address = await subscriber.subscribe("ada@readers.example", "replies", token=token)
    assert own_address.json()["status"] == "subscribed"
    other_address = await subscriber.subscribe("bob@readers.example", "thread", token=token)
    assert other_address.json()["status"] == "confirmation_sent"
    assert await subscriber.settle() == ["subscription_confirm:sent"]
    assert subscriber.sink.to("ada@readers.example") == []

    await subscriber.api.posted("Hello Ada", email="rob@readers.example")
    assert "Hello Ada" in text_part(await subscriber.mail_to("ada@readers.example"))
