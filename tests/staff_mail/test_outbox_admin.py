"""The admin outbox page and API: failed messages with their error, retry, test mail."""

from __future__ import annotations

from sqlalchemy import select

from talkback.store.tables import audit_log
from tests.admin.conftest import ADMIN, MODERATOR, Newsroom
from tests.mail_sink import MailSink, text_part
from tests.staff_mail.helpers import outbox_rows, until_statuses

API = "/api/v1/admin/outbox"
KIND = "check_mail"


async def test_a_failed_mail_shows_with_its_error_and_a_retry_delivers_it(
    newsroom: Newsroom, mail_sink: MailSink
) -> None:
    admin = await newsroom.signed_in(ADMIN)
    mail_sink.refuse_with = "550 mailbox unavailable"
    queued = await admin.post("/admin/outbox/test", data={"recipient": "desk@news.example"})
    assert queued.status_code == 303
    assert queued.headers["location"] == "/admin/outbox?notice=test_mail_queued"
    await until_statuses(newsroom.context, KIND, ["failed"])

    page = await admin.get("/admin/outbox")
    assert page.status_code == 200
    assert "desk@news.example" in page.text
    assert "SMTP 550: mailbox unavailable" in page.text
    assert "Retry</button>" in page.text
    listed = (await admin.get(API, status="failed")).json()
    [failed] = listed["messages"]
    assert (failed["recipient"], failed["kind"], failed["attempts"]) == (
        "desk@news.example", KIND, 1,
    )  # fmt: skip
    assert "550" in failed["last_error"]
    assert listed["counts"]["failed"] == 1
    assert (await admin.get(API, status="sent")).json()["messages"] == []

    mail_sink.refuse_with = None
    retried = await admin.post(f"/admin/outbox/{failed['id']}/retry", data={})
    assert retried.status_code == 303
    await until_statuses(newsroom.context, KIND, ["sent"])
    [mail] = await mail_sink.until(1)
    assert str(mail["To"]) == "desk@news.example"
    assert ADMIN in text_part(mail)
    again = await admin.post(f"{API}/{failed['id']}/retry")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_failed"
    actions = await newsroom.context.database.read_rows(
        select(audit_log.c.action, audit_log.c.target).order_by(audit_log.c.id)
    )
    assert [(a.action, a.target) for a in actions] == [
        ("outbox.test_mail", "desk@news.example"), ("outbox.retry", str(failed["id"])),
    ]  # fmt: skip


async def test_a_retry_through_the_api_requeues_the_failed_message(
    newsroom: Newsroom, mail_sink: MailSink
) -> None:
    admin = await newsroom.signed_in(ADMIN)
    mail_sink.refuse_with = "554 rejected"
    queued = await admin.post(f"{API}/test", json={"recipient": "ops@news.example"})
    assert queued.status_code == 202, queued.text
    message = queued.json()["message"]
    assert (message["status"], message["recipient"]) == ("pending", "ops@news.example")
    await until_statuses(newsroom.context, KIND, ["failed"])
    mail_sink.refuse_with = None
    retried = await admin.post(f"{API}/{message['id']}/retry")
    assert retried.status_code == 200
    assert retried.json()["message"]["status"] == "pending"
    assert retried.json()["message"]["attempts"] == 0
    await mail_sink.until(1)
    await until_statuses(newsroom.context, KIND, ["sent"])
    assert (await admin.post(f"{API}/999999/retry")).status_code == 404


async def test_a_test_mail_arrives(newsroom: Newsroom, mail_sink: MailSink) -> None:
    admin = await newsroom.signed_in(ADMIN)
    response = await admin.post(f"{API}/test", json={"recipient": ADMIN})
    assert response.status_code == 202
    [mail] = await mail_sink.until(1)
    assert str(mail["Subject"]) == "Talkback can send mail"
    await until_statuses(newsroom.context, KIND, ["sent"])
    sent = (await admin.get(API)).json()["messages"]
    assert [(m["status"], m["recipient"]) for m in sent] == [("sent", ADMIN)]
    assert sent[0]["sent_at"] is not None
    bad = await admin.post(f"{API}/test", json={"recipient": "not an address"})
    assert bad.status_code == 422
    form = await admin.post("/admin/outbox/test", data={"recipient": "not an address"})
    assert form.status_code == 422
    assert "email" in form.text
    assert len(await outbox_rows(newsroom.context, KIND)) == 1


async def test_only_admins_see_the_outbox(newsroom: Newsroom) -> None:
    moderator = await newsroom.signed_in(MODERATOR)
    assert (await moderator.get("/admin/outbox")).status_code == 403
    assert (await moderator.get(API)).status_code == 403
    assert (await moderator.post(f"{API}/test", json={"recipient": MODERATOR})).status_code == 403
    page = await moderator.get("/admin/news/queue")
    assert 'href="/admin/outbox"' not in page.text
    admin = await newsroom.signed_in(ADMIN)
    assert 'href="/admin/outbox"' in (await admin.get("/admin/news/queue")).text
    anonymous = await newsroom.browser()
    assert (await anonymous.get(API)).status_code == 401
