"""Reading a thread: votes, sort tabs, paging, deep links, and untrusted text kept inert."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Dialog, Page, expect

from tests.browser.conftest import Host, Talkback, Widget


def test_vote_change_and_take_back(
    widget: Widget, host: Host, article: str, talkback: Talkback, page: Page
) -> None:
    comment_id = talkback.post(article, "Build it now")
    widget.open(host.url(article))
    comment = widget.comment(comment_id)
    up = comment.get_by_role("button", name="Upvote")
    down = comment.get_by_role("button", name="Downvote")

    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_text("Upvote1")
    down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    expect(up).to_have_text("Upvote0")
    expect(down).to_have_text("Downvote1")

    page.reload()  # the reader's vote comes back from /me with their token
    expect(down).to_have_attribute("aria-pressed", "true")
    down.click()
    expect(down).to_have_attribute("aria-pressed", "false")
    expect(down).to_have_text("Downvote0")


def test_sort_tabs_reorder_the_thread(
    widget: Widget, host: Host, article: str, talkback: Talkback
) -> None:
    old = talkback.post(article, "Oldest", ago=timedelta(hours=5))
    middle = talkback.post(article, "Middle", ago=timedelta(hours=3))
    new = talkback.post(article, "Newest", ago=timedelta(hours=1))
    for voter in ("v1", "v2"):
        talkback.vote(middle, 1, voter)
    talkback.vote(old, 1, "v3")
    widget.open(host.url(article))
    expect(widget.top_level).to_have_count(3)
    assert widget.ids() == [new, middle, old]

    for tab, expected in (("Oldest", [old, middle, new]), ("Most Voted", [middle, old, new])):
        button = widget.root.get_by_role("button", name=tab, exact=True)
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(widget.top_level.first).to_have_attribute("data-comment-id", str(expected[0]))
        assert widget.ids() == expected
    expect(widget.root.get_by_role("button", name="Newest")).to_have_attribute(
        "aria-pressed", "false"
    )


def test_load_more_pages_through_the_thread(
    widget: Widget, host: Host, article: str, talkback: Talkback
) -> None:
    ids = [talkback.post(article, f"Comment {n}", ago=timedelta(minutes=60 - n)) for n in range(25)]
    widget.open(host.url(article))
    expect(widget.heading).to_have_text("25 Comments")
    expect(widget.top_level).to_have_count(20)
    more = widget.root.get_by_role("button", name="Load more comments")
    more.click()
    expect(widget.top_level).to_have_count(25)
    expect(more).to_be_hidden()
    assert widget.ids() == ids[::-1]


def test_a_link_to_a_comment_on_a_later_page_finds_it(
    widget: Widget, host: Host, article: str, talkback: Talkback, page: Page
) -> None:
    ids = [talkback.post(article, f"Comment {n}", ago=timedelta(minutes=90 - n)) for n in range(45)]
    target = ids[0]  # the oldest: on the third page of "Newest"
    page.goto(host.url(article, fragment=f"#comment-{target}"))

    comment = widget.comment(target)
    expect(comment).to_be_in_viewport()
    expect(comment).to_have_class("tb-comment tb-target")
    expect(comment).to_be_focused()
    expect(widget.top_level).to_have_count(45)


def test_what_readers_write_stays_text(
    widget: Widget, host: Host, article: str, talkback: Talkback, page: Page
) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    name = '<img src=x onerror="alert(1)">'
    body = (
        "<script>alert(2)</script>\n\n<img src=x onerror=alert(3)>\n\n"
        '[click me](javascript:alert(4)) <a href="javascript:alert(5)">x</a>'
    )
    seeded = talkback.post(article, body, author=name, website="javascript:alert(6)")
    widget.open(host.url(article))
    widget.post(body, name=name)
    expect(widget.comments).to_have_count(2)

    for comment_id in (seeded, widget.ids()[0]):
        comment = widget.comment(comment_id)
        expect(comment.locator(".tb-author")).to_have_text(name)
        expect(comment.locator(".tb-body")).to_contain_text("<script>alert(2)</script>")
        expect(comment.locator("script, img, [onerror], a[href^='javascript']")).to_have_count(0)
        comment.get_by_text("click me").click()
    expect(widget.comment(seeded).locator("a.tb-author")).to_have_count(0)
    assert dialogs == []


def test_a_rejected_reader_token_is_replaced(
    widget: Widget, host: Host, article: str, talkback: Talkback, page: Page
) -> None:
    comment_id = talkback.post(article, "Vote on me")
    key = f"talkback:reader:{talkback.url.removeprefix('http://')}"
    page.add_init_script(
        f"if (!sessionStorage.seen) {{ localStorage.setItem('{key}', '\"forged\"');"
        " sessionStorage.seen = 1 }"
    )
    widget.open(host.url(article))
    up = widget.comment(comment_id).get_by_role("button", name="Upvote")
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    token = page.evaluate(f"localStorage.getItem('{key}')")
    assert token not in (None, '"forged"')
    page.reload()
    expect(up).to_have_attribute("aria-pressed", "true")
