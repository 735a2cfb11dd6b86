"""A signed-in reader: posts without name or email, one name and one identity on every
device, edits and deletes from any of them."""

from __future__ import annotations

from typing import Any

from tests.accounts.conftest import Mailbox, reader, set_option
from tests.api.conftest import SITE


async def _post(mailbox: Mailbox, token: str | None, **fields: Any) -> dict[str, Any]:
    response = await mailbox.api.post(headers=reader(token) if token else None, **fields)
    assert response.status_code == 201, response.text
    comment: dict[str, Any] = response.json()["comment"]
    return comment


async def test_a_signed_in_reader_posts_without_name_or_email(mailbox: Mailbox) -> None:
    await set_option(mailbox.api, "guest_identity", "name_email")
    guest = await mailbox.api.post()
    assert guest.status_code == 422
    assert guest.json()["error"]["code"] == "name_required"

    token = await mailbox.sign_in("ada@example.org")
    first = await _post(mailbox, token, author_name="Ada L.")
    assert first["author"]["name"] == "Ada L."
    me = await mailbox.me(token)
    assert me["account"] == {"email": "ada@example.org", "display_name": "Ada L."}

    second = await _post(mailbox, token)
    assert second["author"]["name"] == "Ada L."
    # The account's name wins over a name typed in the form.
    third = await _post(mailbox, token, author_name="Somebody Else")
    assert third["author"]["name"] == "Ada L."
    page = await mailbox.api.page()
    assert {c["author"]["name"] for c in page["comments"]} == {"Ada L."}


async def test_a_signed_in_reader_without_a_name_is_asked_for_one(mailbox: Mailbox) -> None:
    await set_option(mailbox.api, "guest_identity", "name_email")
    token = await mailbox.sign_in("nameless@example.org")
    response = await mailbox.api.post(headers=reader(token))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "name_required"


async def test_the_display_name_is_set_for_every_device(mailbox: Mailbox) -> None:
    client = mailbox.api.client
    guest = await client.patch(f"/api/v1/{SITE}/me", json={"display_name": "Ada"})
    assert guest.status_code == 401
    assert guest.json()["error"]["code"] == "not_signed_in"

    phone = await mailbox.sign_in("ada@example.org")
    laptop = await mailbox.sign_in("ada@example.org")
    for bad in ("", "   ", "x" * 81, "a\x00b"):
        refused = await client.patch(
            f"/api/v1/{SITE}/me", json={"display_name": bad}, headers=reader(phone)
        )
        assert refused.status_code == 422, bad
    named = await client.patch(
        f"/api/v1/{SITE}/me", json={"display_name": "  Ada Lovelace "}, headers=reader(phone)
    )
    assert named.status_code == 200
    assert named.json() == {"account": {"email": "ada@example.org", "display_name": "Ada Lovelace"}}
    assert (await mailbox.me(laptop))["account"]["display_name"] == "Ada Lovelace"
    assert (await _post(mailbox, laptop))["author"]["name"] == "Ada Lovelace"


async def test_a_second_device_edits_and_deletes_what_the_first_posted(mailbox: Mailbox) -> None:
    device_a = await mailbox.api.reader_token()
    as_guest = await _post(mailbox, device_a, author_name="Grace")
    device_a = await mailbox.sign_in("grace@example.org", device_a)
    signed_in = await _post(mailbox, device_a)

    device_b = await mailbox.sign_in("grace@example.org")  # a fresh client: no token yet
    assert (await mailbox.me(device_b))["account"]["email"] == "grace@example.org"
    editable = {c["id"] for c in (await mailbox.me(device_b))["editable"]}
    assert editable == {as_guest["id"], signed_in["id"]}

    client = mailbox.api.client
    stranger = await mailbox.api.reader_token()
    refused = await client.patch(
        f"/api/v1/{SITE}/comments/{signed_in['id']}", json={"text": "Hijacked"},
        headers=reader(stranger),
    )  # fmt: skip
    assert refused.status_code == 403
    for comment in (as_guest, signed_in):
        edited = await client.patch(
            f"/api/v1/{SITE}/comments/{comment['id']}", json={"text": "Edited on B"},
            headers=reader(device_b),
        )  # fmt: skip
        assert edited.status_code == 200, edited.text
        assert "Edited on B" in edited.json()["html"]
    deleted = await client.delete(
        f"/api/v1/{SITE}/comments/{signed_in['id']}", headers=reader(device_b)
    )
    assert deleted.status_code == 204
    assert [c["id"] for c in (await mailbox.api.page())["comments"]] == [as_guest["id"]]


async def test_a_link_asked_for_by_someone_else_does_not_sign_them_in(mailbox: Mailbox) -> None:
    """Whoever asks for a link to another's address must not get their device adopted
    as that person's account when the owner opens the link on their own device."""
    intruder = await mailbox.api.reader_token()
    _, signin_token = await mailbox.link("victim@example.org", intruder)
    owner = await mailbox.complete(signin_token)  # opened by the owner, on their device
    assert owner.status_code == 200
    assert owner.json()["reader_token"] != intruder
    assert (await mailbox.me(intruder))["account"] is None
    refused = await mailbox.api.client.get(f"/api/v1/{SITE}/me/data", headers=reader(intruder))
    assert refused.status_code == 401
