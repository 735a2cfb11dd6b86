"""The `talkback demo` content: a fictional local news article and a lively thread under it,
some of it inline feedback on passages of the article and on the newsroom's question.

Everything here is our own writing about an invented town, so the demo can ship with the
package. Seeding goes through the public services only (`create_site`, `post_comment`,
`cast_vote`), so the demo also exercises the same paths a real site does.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from talkback import clock
from talkback.comments.pages import count_comments
from talkback.comments.posting import CommentDraft, post_comment
from talkback.comments.views import PassageAnchor
from talkback.comments.votes import cast_vote
from talkback.config import Settings, with_persisted_secret
from talkback.context import Context
from talkback.core.anchoring import text_hash, utf16_length
from talkback.core.identity import hash_ip
from talkback.demo.article import ARTICLE, demo_article_text
from talkback.demo.editorial import seed_editorial
from talkback.demo.funding import DEMO_ACTOR, prepare_demo_campaign
from talkback.demo.stories import seed_more_stories
from talkback.errors import Conflict, NotFound
from talkback.readers.tokens import Reader
from talkback.sites.sites import Site, create_site, load_site, set_site_option
from talkback.staff.accounts import create_staff, list_staff
from talkback.staff.management import set_password
from talkback.store.database import Database
from talkback.store.tables import comments, subscriptions

DEMO_SITE = "demo"
DEMO_URI = "/"
DEMO_SITE_NAME = "The Wendmouth Courier"
DEMO_LOCALE = "en_GB"
DEMO_ADMIN_EMAIL = "editor@wendmouth-courier.example"
# A moderator whose password the editor "set" and who has not signed in since: the staff
# page shows the pending change, and the role, password and remove actions to try.
DEMO_MODERATOR_EMAIL = "night-desk@wendmouth-courier.example"
DEMO_ADMIN_PASSWORD_FILE = "demo-admin-password"
DEMO_DIGEST_SECONDS = "10"
"""The demo site's digest window: follow-ups within ten seconds share one mail."""


@dataclass(frozen=True, slots=True)
class SampleComment:
    """One seeded comment; `key` names it for replies, `author` None is an anonymous guest.
    `passage`, words quoted from the article once, makes it inline feedback on them: on the
    newsroom's question when they are the question's passage."""

    key: str
    author: str | None
    hours_ago: float
    text: str
    reply_to: str | None = None
    up: int = 0
    down: int = 0
    passage: str | None = None


CONTEXT_LENGTH = 32
"""Characters of context on each side of a quote, as the widget takes them."""


PASTED_SAMPLE = "history"
"""The reader who pasted a whole article into one comment, as readers do (folded in the thread)."""
PASTED_ARTICLE = (
    "Since the Society's newsletter is only online for members, here is the piece from the "
    "autumn issue in full. Worth reading before anyone says the barrier can wait.\n\n"
    "**The Candlemas tide: Wendmouth, 2 February 1978**\n\n"
    "Older Quayside families still date things from it: before the Candlemas tide, or after. "
    "On the evening of 2 February 1978 a deep low crossed the estuary just as the spring tide "
    "was making, and a gale from the south-east held the water in the Wend's mouth for three "
    "hours longer than the tide tables allowed. The harbour gauge, read by hand in those "
    "days, was last written down at 6.4 metres. The keeper did not write again because by "
    "then he was standing on his desk.\n\n"
    "The water came up Tanners Row first, through the drains rather than over the quay, which "
    "is why so many people were caught in their kitchens. By nine o'clock it stood a metre "
    "deep outside the Ferry Inn and the lights had gone on both sides of the river. The "
    "lifeboat crew rowed their own boarded-up boat down Marsh Lane to reach the terraces, "
    "and took forty-one people off upstairs windows before midnight. Nobody died in "
    "Wendmouth that night, which the Courier of the following week called a miracle and the "
    "coxswain called luck and a dry boathouse.\n\n"
    "Mrs Edna Pascoe, then a nurse at the cottage hospital, recorded her memories for the "
    "Society in 1998:\n\n"
    "> We had eleven patients on the ground floor ward and the porters carried every one of "
    "them up the back stairs on mattresses, because the lift had stopped with the power. The "
    "water was in the corridor by then, brown and cold and smelling of the river. Sister "
    "kept us singing so the old men would not be frightened, and I remember a fisherman "
    "from Quay Street with a broken leg conducting us with his splint. In the morning the "
    "tide went out as if nothing had happened, and the floor of the ward was covered in "
    "silt and eel grass and somebody's garden gate. We scrubbed for a week. I never went "
    "down to that corridor again without looking at the line on the wall.\n\n"
    "The line is still there, painted over several times, on the old hospital's stair wall "
    "in what is now the library annexe: 1.7 metres above the floor.\n\n"
    "Across the river the damage was worse in money than in lives. The boatyards lost most of "
    "their winter stock, the tannery never reopened, and two hundred homes on Marsh Lane "
    "and the Quayside were empty until the summer while the plaster dried. The council's "
    "relief fund, raised largely by a concert in the Corn Exchange, paid out an average of "
    "forty pounds a household.\n\n"
    "What followed will sound familiar. A borough engineer's report in 1979 recommended a "
    "tidal gate at Ferry Reach. It was costed, exhibited in the Corn Exchange, and deferred "
    "in 1981 pending a review of the ground conditions. The review found the clay soft and "
    "recommended deeper foundations; the cost rose by half, and the scheme was deferred "
    "again while grant money was sought. In 1986 the Harbour Road walls were raised by "
    "forty centimetres instead, as a temporary measure. They are the same walls the council "
    "is repairing this winter.\n\n"
    "None of this is an argument that the engineers are wrong about the clay. The Society "
    "has no view on foundations. But anyone who tells you a year's pause costs nothing "
    "should walk up the library annexe stairs and look at the line on the wall, and then "
    "count how many reviews have been commissioned since it was painted.\n\n"
    "*From the Wendmouth & District Historical Society newsletter, autumn issue. Reproduced "
    "with the editor's permission.*"
)
"""About 3,500 characters of our own writing: long enough that the widget folds it."""


# In posting order: every comment is younger than the one before it, and a reply always
# comes after its parent. Scores are spread so that "Most Voted" reads differently from
# "Newest", as it would under a real story. Kept as a compact table, hence `fmt: off`.
# fmt: off
SAMPLE_COMMENTS: tuple[SampleComment, ...] = (
    SampleComment(
        "priya", "Priya Raman", 47.0,
        "Seven to five. So five councillors were ready to get on with it, and the other seven "
        "would rather pay for *another* report. We have had the barrier drawn on maps since I "
        "was at school.",
        up=14, down=2,
    ),
    SampleComment(
        "alun", "Alun Rees", 46.2,
        "Retired civil engineer here, for what it's worth. Soft clay is not a detail you can "
        "fix later:\n\n"
        "- deeper piles change the cost *and* the programme;\n"
        "- a gate that settles even a few centimetres stops sealing against its sill;\n"
        "- the repair, once it's in the water, costs far more than the review.\n\n"
        "I'd want the second look too, even though I hate the delay.",
        reply_to="priya", up=11, down=1,
    ),
    SampleComment(
        "priya-2", "Priya Raman", 45.1,
        "Fair points, and thank you for explaining them. But why did nobody find the clay "
        "*before* the exhibition and the glossy leaflets?",
        reply_to="alun", up=6,
    ),
    SampleComment(
        "alun-2", "Alun Rees", 44.0,
        "From the committee papers, the original boreholes were sunk about 200 metres "
        "upstream, where the ground is firmer. Cheaper access. It happens more than "
        "anyone likes to admit.",
        reply_to="priya-2", up=5,
    ),
    SampleComment(
        "boatyard", "R&J Boatyard", 43.0,
        "Our building insurance went up by more than a third after 2024, and the broker "
        "told us straight that the barrier was the only thing that would bring it back "
        "down. Another year is another premium.",
        reply_to="priya", up=7,
    ),
    SampleComment(
        "anon-quote", None, 42.0,
        "> I would rather explain a year's delay to residents than explain a barrier that "
        "settles out of true in its first decade.\n\n"
        "He won't be the one doing the explaining on Tanners Row in February.",
        up=9, down=3,
    ),
    SampleComment(
        "tom", "Tom O'Driscoll", 41.0,
        "To be fair to him, he lives on Mill Street, which is well inside the flood zone.",
        reply_to="anon-quote", up=4,
    ),
    SampleComment(
        "anon-mill", None, 39.0,
        "*Upper* Mill Street. Different thing entirely when the water comes up.",
        reply_to="tom", up=2, down=1,
    ),
    SampleComment(
        "clay", "Alun Rees", 38.0,
        "This is the sentence that matters. The clay decides how deep the piles go, and the "
        "depth decides the price.",
        up=6, passage="found softer clay than the original design assumed",
    ),
    SampleComment(
        "eleanor", "Eleanor Fitch", 36.0,
        "For anyone who wants the detail rather than the row, the officers' report is with "
        "the meeting papers: "
        "[Full council, agenda item 7](https://example.org/wendmouth/council/agenda-item-7). "
        "The borehole results are in appendix C.",
        up=8,
    ),
    SampleComment(
        "wendwatcher", "wendwatcher", 35.0,
        "Thanks Eleanor. Page 41 is the part about the Estuary Authority money and the March "
        "2028 deadline. **Read that bit twice.**",
        reply_to="eleanor", up=5,
    ),
    SampleComment(PASTED_SAMPLE, "Wendmouth History Society", 34.0, PASTED_ARTICLE, up=7),
    SampleComment(
        "costs-priya", "Priya Raman", 33.0,
        "Not if the review stops us building the wrong thing. But the council should put the "
        "cost of the delay in pounds in front of us before September.",
        up=3, passage=ARTICLE.question.passage,
    ),
    SampleComment(
        "anon-boreholes", None, 30.5,
        "So we paid for boreholes in the wrong place and now we pay again. Lovely.",
        reply_to="alun-2", up=3, down=2,
    ),
    SampleComment(
        "sam", "Sam K.", 28.0,
        "Unpopular opinion: a year is nothing against a structure that has to last eighty. "
        "Better late than wrong.",
        up=3, down=6,
    ),
    SampleComment(
        "hattie", "Hattie", 27.0,
        "It's not nothing if your kitchen floods in the meantime. Easy to be patient from "
        "up the hill.",
        reply_to="sam", up=10,
    ),
    SampleComment(
        "tom-2", "Tom O'Driscoll", 26.0,
        "If costs really are rising six per cent a year, the delay alone adds over £800,000 "
        "to a £14m job. The review is the cheap part.",
        reply_to="sam", up=4, down=1,
    ),
    SampleComment(
        "sam-2", "Sam K.", 25.0,
        "Only if the design stays the same. If the foundations need redoing anyway, building "
        "the old design on time just means paying twice.",
        reply_to="tom-2", up=2, down=1,
    ),
    SampleComment(
        "costs-anon", None, 22.0,
        "It does when £3.5 million of the money has a deadline on it. Miss March 2028 and "
        "the review becomes the dearest report this town ever bought.",
        up=5, down=1, passage=ARTICLE.question.passage,
    ),
    SampleComment(
        "boatyard-2", "R&J Boatyard", 20.0,
        "Practical note for Quayside neighbours while we wait:\n\n"
        "1. Sign up for the flood text alerts now, not on the night.\n"
        "2. Sandbags from the fire station go quickly, so collect them early.\n"
        "3. Photograph your ground floor before winter for the insurers.",
        up=6,
    ),
    SampleComment(
        "anon-path", None, 12.0,
        "Does anyone know whether the Saltings footpath will close while they build it?",
        up=1,
    ),
    SampleComment(
        "eleanor-2", "Eleanor Fitch", 11.0,
        "The exhibition boards said about six months of closure with a diversion along "
        "Harbour Road, but that was for the old timetable.",
        reply_to="anon-path", up=2,
    ),
    SampleComment(
        "promise", "Hattie", 8.0,
        "I still have the leaflet with that promise on it. 2019, and again in 2023.",
        up=4, passage="a barrier \u201cbefore the next bad winter\u201d at every local election",
    ),
    SampleComment(
        "hattie-2", "Hattie", 6.0,
        "I was in the gallery on Tuesday. Public questions were cut to fifteen minutes and "
        "half of us never got to speak. Worth a follow-up, Courier?",
        up=4,
    ),
    SampleComment(
        "wendwatcher-2", "wendwatcher", 2.0,
        "Spring tides peak around 6.1 m at the harbour gauge mid-December. Anything <5.8 m is "
        "routine; above that, keep an eye on the Harbour Road walls.",
        up=2,
    ),
    SampleComment(
        "anon-letter", None, 0.7,
        "Written to my ward councillor today. If enough of us do, the September report "
        "might arrive a little sooner.",
    ),
)
# fmt: on

VOTER_COUNT = 20


@dataclass(frozen=True, slots=True)
class DemoAdmin:
    """The demo's admin account, printed at start-up so a newcomer can open `/admin/`."""

    email: str
    password: str | None
    """None when the file it was kept in has been removed since."""


def demo_settings(settings: Settings, public_url: str | None = None) -> Settings:
    """The demo's settings: a secret generated into the data dir on first use, gifts
    taken on the local test checkout page unless Stripe keys are set, and mail kept in the
    local mailbox page unless an SMTP server is set.

    `public_url` (the address the demo serves on) starts the links in its mail, unless
    TALKBACK_PUBLIC_URL says otherwise (a demo behind a proxy or tunnel).
    """
    update: dict[str, object] = {"demo_payments": True, "demo_mailbox": not settings.smtp_url}
    if public_url and "public_url" not in settings.model_fields_set:
        update["public_url"] = public_url
    return with_persisted_secret(settings).model_copy(update=update)


def demo_origins(host: str, port: int) -> list[str]:
    """The origins a browser may show the demo under, each once."""
    names = (host, "localhost", "127.0.0.1")
    return list(dict.fromkeys(f"http://{name}:{port}" for name in names))


async def seed_demo(settings: Settings, origins: list[str]) -> DemoAdmin:
    """Seed the demo with a context of its own, closed before the server starts.

    The server runs in uvicorn's event loop, not the one seeding runs in, and the writer's
    queue, the connections and the broker belong to the loop that first used them: sharing
    one context between the two loops failed every later write and the shutdown.
    """
    context = Context.from_settings(settings)
    try:
        await prepare_demo(context, origins)
        admin = await prepare_demo_admin(context.database, settings.data_dir)
        # Once the staff exist: the editor's note carries the Staff badge of its address.
        site = await context.sites.get(DEMO_SITE)
        await seed_editorial(context, site, DEMO_ADMIN_EMAIL, DEMO_URI)
        return admin
    finally:
        await context.close()


async def prepare_demo_admin(database: Database, data_dir: Path) -> DemoAdmin:
    """The demo's admin account, made on first start with a generated password.

    The password is kept beside the generated secret key (readable by its owner only), so
    every start of the same demo can print it. If that file was removed, the account keeps
    its password and the start-up message says the file is missing instead of guessing.
    """
    password_file = data_dir / DEMO_ADMIN_PASSWORD_FILE
    accounts = {member.email for member in await list_staff(database)}
    if DEMO_ADMIN_EMAIL not in accounts:
        generated = secrets.token_urlsafe(12)
        await create_staff(database, DEMO_ADMIN_EMAIL, generated, "admin", name="Demo editor")
        password_file.write_text(generated)
        password_file.chmod(0o600)
    if DEMO_MODERATOR_EMAIL not in accounts:
        unknown = secrets.token_urlsafe(12)
        night = await create_staff(database, DEMO_MODERATOR_EMAIL, unknown, "moderator",
                                   name="Night desk")  # fmt: skip
        await set_password(database, night.id, unknown, by=None, actor=DEMO_ACTOR)
    kept = password_file.read_text().strip() if password_file.exists() else None
    return DemoAdmin(DEMO_ADMIN_EMAIL, kept)


async def prepare_demo(ctx: Context, origins: list[str]) -> None:
    """Make sure the demo site exists and its article has a thread to show.

    Idempotent: an existing site is left as it is, and comments are seeded only while the
    article's thread is empty, so restarting `talkback demo` never duplicates anything.
    """
    site = await _demo_site(ctx, origins)
    if "digest_window_seconds" not in site.notifications:
        # A newcomer trying "Notify of" should see the mail within seconds, not minutes.
        site = await set_site_option(ctx.database, DEMO_SITE, "digest_window", DEMO_DIGEST_SECONDS)
    counts = await count_comments(ctx, site, [DEMO_URI])
    if counts[DEMO_URI] == 0:
        await _seed_thread(ctx, site)
    await prepare_demo_campaign(ctx, site)
    await seed_more_stories(ctx, site)


async def _demo_site(ctx: Context, origins: list[str]) -> Site:
    try:
        return await load_site(ctx.database, DEMO_SITE)
    except NotFound:
        pass
    try:
        return await create_site(
            ctx.database, DEMO_SITE, name=DEMO_SITE_NAME, origins=origins, locale=DEMO_LOCALE
        )
    except Conflict:  # another process created it between our look and our write
        return await load_site(ctx.database, DEMO_SITE)


SUBSCRIBED_SAMPLE = "priya"
SUBSCRIBED_ADDRESS = "priya.raman@reader.example"
"""The sample author who asked to hear of replies: reply to her comment, open the mailbox."""


async def _subscribe_sample_author(ctx: Context, site: Site, comment_id: int) -> None:
    """A confirmed "Notify me of replies" on one sample comment, as if its author had
    ticked the box and followed the confirmation link, so a newcomer's first reply to it
    lands in the demo mailbox."""
    now = clock.now()
    values = {
        "site_id": site.id, "email": SUBSCRIBED_ADDRESS, "kind": "comment",
        "thread_id": select(comments.c.thread_id).where(comments.c.id == comment_id)
        .scalar_subquery(),
        "comment_id": comment_id, "locale": site.locale,
        "confirmed_at": now, "created_at": now,
    }  # fmt: skip
    await ctx.database.write(lambda conn: conn.execute(insert(subscriptions).values(values)))


async def _seed_thread(ctx: Context, site: Site) -> None:
    """Post the sample comments as they might have arrived over two days, then vote."""
    now = clock.now()
    voters = [
        Reader(ip_hash=hash_ip(f"demo-voter-{n}", ctx.secret_key), reader_id=f"demo-voter-{n}")
        for n in range(VOTER_COUNT)
    ]
    text = demo_article_text()
    ids: dict[str, int] = {}
    for sample in SAMPLE_COMMENTS:
        author = Reader(
            ip_hash=hash_ip(f"demo-author-{sample.author or sample.key}", ctx.secret_key)
        )
        draft = CommentDraft(
            text=sample.text,
            parent_id=ids[sample.reply_to] if sample.reply_to else None,
            author_name=sample.author,
            anchor=passage_anchor(text, sample.passage) if sample.passage else None,
            title=ARTICLE.headline,
        )
        posted = await post_comment(
            ctx, site, DEMO_URI, draft, author, created_at=now - timedelta(hours=sample.hours_ago)
        )
        ids[sample.key] = posted.comment["id"]
    await _subscribe_sample_author(ctx, site, ids[SUBSCRIBED_SAMPLE])
    for sample in SAMPLE_COMMENTS:
        # One comment's votes at once: on SQLite the writer commits them as one group.
        values = [1] * sample.up + [-1] * sample.down
        await asyncio.gather(
            *(
                cast_vote(ctx, site, ids[sample.key], value, voter)
                for voter, value in zip(voters[: len(values)], values, strict=True)
            )
        )


def passage_anchor(text: str, exact: str) -> PassageAnchor:
    """The anchor the widget would send for `exact` in the article's `text`: its quote,
    context, UTF-16 offsets and the text's hash, and the question when it is the
    question's passage. `exact` must occur once, or the seeded feedback would be ambiguous."""
    if text.count(exact) != 1:
        raise ValueError(f"{exact!r} occurs {text.count(exact)} times in the demo article")
    start = text.index(exact)
    end = start + len(exact)
    offset = utf16_length(text[:start])
    anchor: PassageAnchor = {
        "exact": exact,
        "prefix": text[max(start - CONTEXT_LENGTH, 0) : start],
        "suffix": text[end : end + CONTEXT_LENGTH],
        "start": offset,
        "end": offset + utf16_length(exact),
        "text_hash": text_hash(text),
    }
    if exact == ARTICLE.question.passage:
        anchor["question"] = ARTICLE.question.prompt
    return anchor
