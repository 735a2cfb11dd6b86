"""A signed-in reader downloads or deletes their own data, as staff would for them."""

from __future__ import annotations

from tests.accounts.conftest import Mailbox, reader
from tests.api.conftest import SITE


async def test_a_guest_can_neither_download_nor_delete(mailbox: Mailbox) -> None:
    guest = await mailbox.api.reader_token()
    await mailbox.api.post(author_name="Guest", email="guest@example.org", headers=reader(guest))
    for method in ("GET", "DELETE"):
        response = await mailbox.api.client.request(
            method, f"/api/v1/{SITE}/me/data", headers=reader(guest)
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_signed_in"


async def test_the_reader_downloads_their_data(mailbox: Mailbox) -> None:
    token = await mailbox.sign_in("ada@example.org")
    posted = await mailbox.api.posted(author_name="Ada", headers=reader(token))
    other = await mailbox.api.posted(author_name="Bob", email="bob@example.org")
    await mailbox.api.vote(other["comment"]["id"], 1, token)

    response = await mailbox.api.client.get(f"/api/v1/{SITE}/me/data", headers=reader(token))
    assert response.status_code == 200
    data = response.json()
    assert data["format"] == "talkback-reader-data"
    assert data["email"] == "ada@example.org"
    assert [c["id"] for c in data["comments"]] == [posted["comment"]["id"]]
    assert data["comments"][0]["author_email"] == "ada@example.org"
    assert [v["comment_id"] for v in data["votes"]] == [other["comment"]["id"]]
    assert data["account"]["email"] == "ada@example.org"
    assert data["account"]["display_name"] == "Ada"


async def test_the_reader_deletes_their_data_and_account(mailbox: Mailbox) -> None:
    token = await mailbox.sign_in("ada@example.org")
    posted = await mailbox.api.posted(author_name="Ada", headers=reader(token))
    _, unused_link = await mailbox.link("ada@example.org")

    response = await mailbox.api.client.delete(f"/api/v1/{SITE}/me/data", headers=reader(token))
    assert response.status_code == 200
    summary = response.json()
    assert summary["comments_anonymised"] == 1
    assert summary["accounts_removed"] == 1

    assert (await mailbox.me(token))["account"] is None
    gone = await mailbox.api.client.get(f"/api/v1/{SITE}/me/data", headers=reader(token))
    assert gone.status_code == 401
    # Its links went with it: the one still unused signs nobody in.
    assert (await mailbox.complete(unused_link)).status_code == 422
    [comment] = (await mailbox.api.page())["comments"]
    assert comment["id"] == posted["comment"]["id"]
    assert comment["author"]["name"] is None


async def test_deleting_can_remove_the_comments(mailbox: Mailbox) -> None:
    token = await mailbox.sign_in("ada@example.org")
    await mailbox.api.posted(author_name="Ada", headers=reader(token))
    response = await mailbox.api.client.delete(
        f"/api/v1/{SITE}/me/data", params={"comments": "remove"}, headers=reader(token)
    )
    assert response.status_code == 200
    assert response.json()["comments_removed"] == 1
    assert (await mailbox.api.page())["comments"] == []
    bad = await mailbox.api.client.delete(
        f"/api/v1/{SITE}/me/data", params={"comments": "everything"}, headers=reader(token)
    )
    assert bad.status_code == 422
