"""`talkback demo` shows the editors' tools: the editor's note (with its Staff badge)
pinned above the discussion, a featured reader's comment, and a closed story."""

from __future__ import annotations

from pathlib import Path

from talkback.demo.content import DEMO_ADMIN_EMAIL, DEMO_SITE, DEMO_URI, prepare_demo_admin
from talkback.demo.editorial import CLOSED_MESSAGE, CLOSED_STORY, seed_editorial
from tests.api.test_demo import Demo, empty_demo, seeded  # noqa: F401 (fixtures)


async def test_the_demo_pins_features_badges_and_closes(seeded: Demo, tmp_path: Path) -> None:  # noqa: F811
    ctx = seeded.context
    await prepare_demo_admin(ctx.database, tmp_path)
    site = await ctx.sites.get(DEMO_SITE)
    await seed_editorial(ctx, site, DEMO_ADMIN_EMAIL, DEMO_URI)
    await seed_editorial(ctx, site, DEMO_ADMIN_EMAIL, DEMO_URI)  # a restart adds nothing

    page = await seeded.thread()
    note = page["comments"][0]
    assert note["pinned"] is True
    assert note["author"]["badge"] == "staff"
    assert "From the editor" in note["html"]
    assert [c.get("pinned", False) for c in page["comments"]].count(True) == 1
    featured = (await seeded.thread(filter="featured"))["comments"]
    assert [c["author"]["name"] for c in featured] == ["Alun Rees"]
    story = await seeded.client.get(f"/api/v1/{DEMO_SITE}/comments", params={"uri": CLOSED_STORY})
    assert story.json()["thread"] | {"title": None, "count": 0} == {
        "uri": CLOSED_STORY, "title": None, "count": 0, "closed": True,
        "close_message": CLOSED_MESSAGE,
    }  # fmt: skip
