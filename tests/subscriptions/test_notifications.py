"""A reply reaches exactly the people who asked for it, with links that work."""

from __future__ import annotations

from email.message import EmailMessage

from tests.api.conftest import ARTICLE, SITE
from tests.mail_sink import html_part, text_part
from tests.subscriptions.conftest import Subscriber, link_in

ARTICLE_URL = f"https://news.example{ARTICLE}"


def _check_headers(mail: EmailMessage) -> str:
    """The RFC 8058 headers, and the visible unsubscribe link they name; the link."""
    link = link_in(mail, "/api/v1/unsubscribe")
    assert mail["List-Unsubscribe"] == f"<{link}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in html_part(mail).replace("&amp;", "&")
    assert "/api/v1/subscriptions/manage?token=" in text_part(mail)
    assert "\n" not in str(mail["Subject"])
    return link


async def test_a_reply_mails_exactly_the_subscribers_it_concerns(subscriber: Subscriber) -> None:
    api = subscriber.api
    parent = (await api.posted("The barrier will hold", author_name="Alice",
                               email="alice@readers.example"))["comment"]["id"]  # fmt: skip
    await subscriber.subscribed("alice@readers.example", "replies")
    await subscriber.subscribed("tom@readers.example", "thread")
    await subscriber.subscribed("carla@readers.example", "comment", comment_id=parent)
    await subscriber.subscribed("carla@readers.example", "thread")
    await subscriber.subscribed("rob@readers.example", "thread")
    await subscriber.subscribe("uma@readers.example", "thread")  # never confirmed
    await subscriber.settle()
    before = len(subscriber.sink.messages)

    reply = await api.posted(
        "<b>It will not</b>\n\nSubject: spoof", author_name="Rob", email="ROB@readers.example",
        parent_id=parent, title="River barrier <i>opens</i>",
    )  # fmt: skip
    reply_id = reply["comment"]["id"]
    statuses = await subscriber.settle()
    assert statuses.count("comment_notification:sent") == 3
    notified = subscriber.sink.messages[before:]
    assert sorted(str(m["To"]) for m in notified) == [
        "alice@readers.example", "carla@readers.example", "tom@readers.example",
    ]  # fmt: skip
    for mail in notified:
        _check_headers(mail)
        text = text_part(mail)
        assert f"{ARTICLE_URL}#comment-{reply_id}" in text
        assert "Rob wrote:" in text
        # The reader's text as typed, never as markup: escaped in the HTML part.
        assert "<b>It will not</b> Subject: spoof" in text
        assert "&lt;b&gt;It will not&lt;/b&gt;" in html_part(mail)
        assert "<i>opens" not in html_part(mail)
        assert str(mail["Subject"]).startswith("New comment on")
    alice = subscriber.sink.to("alice@readers.example")[-1]
    assert "New replies to your comments" in text_part(alice)
    tom = subscriber.sink.to("tom@readers.example")[-1]
    assert text_part(tom).startswith("New on")

    # Carla follows the thread and the comment: her one mail unsubscribes from the
    # narrower one, the comment.
    carla = subscriber.sink.to("carla@readers.example")[-1]
    assert "a comment you follow" in text_part(carla)
    done = await subscriber.follow(
        _check_headers(carla), "POST", data={"List-Unsubscribe": "One-Click"}
    )
    assert done.status_code == 200
    manage = await subscriber.follow(link_in(carla, "/api/v1/subscriptions/manage"))
    assert manage.status_code == 200
    assert manage.text.count('name="subscription_id"') == 1
    assert "new comments on" in manage.text


async def test_one_click_unsubscribe_stops_the_mail(subscriber: Subscriber) -> None:
    api = subscriber.api
    await subscriber.subscribed("tom@readers.example", "thread")
    await api.posted("First", email="rob@readers.example")
    mail = await subscriber.mail_to("tom@readers.example", 2)
    link = _check_headers(mail)

    page = await subscriber.follow(link)  # a GET shows a button and changes nothing
    assert page.status_code == 200
    assert '<form method="post">' in page.text
    await api.posted("Second", email="rob@readers.example")
    await subscriber.mail_to("tom@readers.example", 3)

    # What a mail client sends (RFC 8058 section 3.2).
    response = await subscriber.follow(
        link, "POST", content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    again = await subscriber.follow(link, "POST")
    assert again.status_code == 200
    await api.posted("Third", email="rob@readers.example")
    assert await subscriber.settle() == [
        "subscription_confirm:sent", "comment_notification:sent", "comment_notification:sent",
    ]  # fmt: skip
    assert len(subscriber.sink.to("tom@readers.example")) == 3


async def test_the_author_of_the_comment_is_not_told_of_it(subscriber: Subscriber) -> None:
    token = await subscriber.api.reader_token()
    await subscriber.subscribe("ann@readers.example", "thread", token=token)
    await subscriber.follow(
        link_in(await subscriber.mail_to("ann@readers.example"), "/api/v1/subscriptions/confirm"),
        "POST",
    )
    # Posted under the same reader token, without an address: still Ann.
    await subscriber.api.post("My own comment", headers={"X-Talkback-Reader": token})
    assert await subscriber.settle() == ["subscription_confirm:sent"]
    assert len(subscriber.sink.to("ann@readers.example")) == 1


async def test_me_lists_the_readers_subscriptions_and_they_can_remove_them(
    subscriber: Subscriber,
) -> None:
    token = await subscriber.api.reader_token()
    other = await subscriber.api.reader_token()
    made = await subscriber.subscribe("ann@readers.example", "replies", token=token)
    subscription = made.json()["subscription"]
    me = await subscriber.client.get(
        f"/api/v1/{SITE}/me", params={"uri": "/elsewhere"}, headers={"X-Talkback-Reader": token}
    )
    assert me.json()["subscriptions"] == [
        {"id": subscription["id"], "kind": "replies", "uri": None, "comment_id": None,
         "confirmed": False},
    ]  # fmt: skip
    path = f"/api/v1/{SITE}/subscriptions/{subscription['id']}"
    refused = await subscriber.client.delete(path, headers={"X-Talkback-Reader": other})
    assert refused.status_code == 404
    assert (await subscriber.client.delete(path)).status_code == 404
    removed = await subscriber.client.delete(path, headers={"X-Talkback-Reader": token})
    assert removed.status_code == 200
    assert removed.json() == {"status": "unsubscribed"}
    me = await subscriber.client.get(
        f"/api/v1/{SITE}/me", params={"uri": ARTICLE}, headers={"X-Talkback-Reader": token}
    )
    assert me.json()["subscriptions"] == []
    # The confirmation link mailed before has nothing left to confirm.
    link = link_in(await subscriber.mail_to("ann@readers.example"), "/api/v1/subscriptions/confirm")
    gone = await subscriber.follow(link, "POST")
    assert gone.status_code == 404
    assert "no longer exists" in gone.text
