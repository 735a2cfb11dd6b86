"""The schema, as SQLAlchemy Core tables. Alembic migrations are written against it.

Reading a page of a thread must cost O(page): the composite indexes below serve the three
sort orders for top-level comments, and `root_id` fetches a page's reply trees at once.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from talkback.store.types import UTCDateTime

Id = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sites = Table(
    "sites",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("origins", JSON, nullable=False, default=list),
    Column("locale", String(20), nullable=False, default="en_US"),
    Column("edit_window_seconds", Integer, nullable=False, default=900),
    Column("moderation", JSON, nullable=False, default=dict),
    Column("guest_identity", String(16), nullable=False, server_default="optional"),
    Column("notifications", JSON, nullable=False, server_default="{}"),
    # Threads close by themselves this many days after their first comment (None: never).
    Column("auto_close_days", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

threads = Table(
    "threads",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", String(64), ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("uri", String(2048), nullable=False),
    Column("title", String(300), nullable=True),
    Column("comment_count", Integer, nullable=False, default=0),
    Column("version", BigInteger, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    # A moderator's word on the thread, over the site's automatic closing: "closed" or
    # "open" (reopened), None to follow the site; the message replaces the form.
    Column("close_override", String(8), nullable=True),
    Column("close_message", String(500), nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    UniqueConstraint("site_id", "uri"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("thread_id", Id, ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    Column("parent_id", Id, ForeignKey("comments.id", ondelete="CASCADE"), nullable=True),
    Column("root_id", Id, nullable=True),
    Column("depth", SmallInteger, nullable=False, default=0),
    Column("status", String(16), nullable=False),
    Column("author_name", String(80), nullable=True),
    Column("author_email", String(254), nullable=True),
    Column("author_website", String(500), nullable=True),
    Column("reader_id", String(64), nullable=True),
    Column("ip_hash", String(64), nullable=True),
    Column("avatar", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("html", Text, nullable=False),
    # A comment without a passage stores SQL NULL, not JSON's null: the inline filter and
    # its partial index ask `anchor IS NOT NULL`.
    Column("anchor", JSON(none_as_null=True), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("edited_at", UTCDateTime, nullable=True),
    Column("upvotes", Integer, nullable=False, default=0),
    Column("downvotes", Integer, nullable=False, default=0),
    Column("score", Integer, nullable=False, default=0),
    Column("reply_count", Integer, nullable=False, default=0),
    # Editors' choices: pinned comments come first in every sort; featured ones carry a badge.
    Column("pinned_at", UTCDateTime, nullable=True),
    Column("featured_at", UTCDateTime, nullable=True),
    # "staff" or "moderator", set when the comment is written by a reader signed in with a
    # staff member's address: readers cannot type it.
    Column("author_badge", String(16), nullable=True),
    # Where an imported comment came from ("wordpress", "disqus"…) and its id there, so
    # importing the same export again adds nothing.
    # The moderation pipeline's verdict: every check's reason and score, kept for moderators.
    Column("moderation", JSON, nullable=True),
    Column("toxicity", Float, nullable=True),
    Column("report_count", Integer, nullable=False, server_default="0"),
    Column("import_source", String(32), nullable=True),
    Column("import_id", String(128), nullable=True),
    # Partial indexes over top-level comments only: `parent_id IS NULL` is not an equality,
    # so PostgreSQL cannot take sort order from a composite index that includes it.
    Index(
        "ix_comments_top_by_time",
        "thread_id",
        "created_at",
        "id",
        postgresql_where=text("parent_id IS NULL"),
        sqlite_where=text("parent_id IS NULL"),
    ),
    Index(
        "ix_comments_top_by_score",
        "thread_id",
        "score",
        "id",
        postgresql_where=text("parent_id IS NULL"),
        sqlite_where=text("parent_id IS NULL"),
    ),
    # Inline feedback is a few comments of a thread: found without walking the others.
    Index(
        "ix_comments_inline",
        "thread_id",
        postgresql_where=text("parent_id IS NULL AND anchor IS NOT NULL"),
        sqlite_where=text("parent_id IS NULL AND anchor IS NOT NULL"),
    ),
    Index("ix_comments_root_id", "root_id"),
    Index("ix_comments_parent_id", "parent_id"),
    Index("ix_comments_reader_id", "reader_id"),
    Index("ix_comments_author_email", "author_email"),
    Index("ix_comments_ip_hash_created_at", "ip_hash", "created_at"),
    Index("uq_comments_import", "thread_id", "import_source", "import_id", unique=True),
)

votes = Table(
    "votes",
    metadata,
    Column("comment_id", Id, ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True),
    Column("voter", String(80), primary_key=True),
    Column("thread_id", Id, ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    Column("value", SmallInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_votes_thread_id_voter", "thread_id", "voter"),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("comment_id", Id, ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    Column("reporter", String(80), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("note", String(500), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # Set when staff decide on the comment (keep, approve, reject…): the report is answered.
    # Open reports are those without it, and `comments.report_count` counts them. A reader
    # reports a comment once, ever, so a kept comment comes back only through other readers.
    Column("resolved_at", UTCDateTime, nullable=True),
    UniqueConstraint("comment_id", "reporter"),
)

staff = Table(
    "staff",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("name", String(80), nullable=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    # Rotated on logout and password change: every session cookie signed with the old
    # nonce stops working at once.
    Column("session_nonce", String(32), nullable=False),
    # Set when an admin sets the password: the next sign-in must choose a new one.
    Column("must_change_password", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_login_at", UTCDateTime, nullable=True),
)

bans = Table(
    "bans",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", String(64), ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("value", String(254), nullable=False),
    Column("shadow", Boolean, nullable=False, default=False),
    Column("reason", String(500), nullable=True),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("created_by", Id, ForeignKey("staff.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_bans_site_id_kind_value", "site_id", "kind", "value"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", String(64), ForeignKey("sites.id", ondelete="CASCADE"), nullable=True),
    Column("staff_id", Id, ForeignKey("staff.id", ondelete="SET NULL"), nullable=True),
    Column("action", String(64), nullable=False),
    Column("target", String(200), nullable=True),
    Column("details", JSON, nullable=False, default=dict),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_audit_log_site_id_created_at", "site_id", "created_at"),
)

# Reader funding. Amounts are integers in the currency's minor unit (cents, yen…), so sums
# are exact; `raised_minor` and `donor_count` change in the transaction that changes a
# donation, and only when that change took effect (see funding/donations.py).
campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", String(64), ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", String(2000), nullable=False, default=""),
    Column("currency", String(3), nullable=False),
    Column("goal_minor", BigInteger, nullable=False),
    Column("ticks_minor", JSON, nullable=True),
    Column("presets_minor", JSON, nullable=True),
    Column("starts_at", UTCDateTime, nullable=True),
    Column("ends_at", UTCDateTime, nullable=True),
    Column("status", String(16), nullable=False, default="open"),
    Column("is_current", Boolean, nullable=False, default=False),
    Column("donor_wall", Boolean, nullable=False, default=False),
    Column("raised_minor", BigInteger, nullable=False, default=0),
    Column("donor_count", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_campaigns_site_id_is_current", "site_id", "is_current"),
)

donations = Table(
    "donations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("campaign_id", Id, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("site_id", String(64), ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("refunded_minor", BigInteger, nullable=False, default=0),
    Column("donor_name", String(80), nullable=True),
    Column("donor_email", String(254), nullable=True),
    Column("message", String(500), nullable=True),
    Column("message_status", String(16), nullable=True),
    Column("message_moderation", JSON, nullable=True),
    Column("provider", String(16), nullable=False),
    Column("provider_ref", String(255), nullable=False),
    Column("payment_ref", String(255), nullable=True),
    Column("note", String(500), nullable=True),
    Column("created_by", Id, ForeignKey("staff.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("provider", "provider_ref"),
    Index("ix_donations_campaign_id_created_at", "campaign_id", "created_at"),
    Index("ix_donations_provider_payment_ref", "provider", "payment_ref"),
    Index("ix_donations_donor_email", "donor_email"),
)

# "Notify of" (issue 12): everything outgoing goes through one outbox.

outbox = Table(
    # One message to deliver: a mail or a webhook call. Written in the transaction of the
    # change that causes it; delivered by a worker at least once, under `message_id`.
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", String(64), ForeignKey("sites.id", ondelete="CASCADE"), nullable=True),
    Column("channel", String(16), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("recipient", String(2000), nullable=False),
    Column("group_key", String(400), nullable=True),
    Column("payload", JSON, nullable=False),
    Column("message_id", String(200), nullable=False, unique=True),
    Column(
        "endpoint_id", Id, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=True
    ),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("not_before", UTCDateTime, nullable=False),
    Column("lease_owner", String(64), nullable=True),
    Column("leased_until", UTCDateTime, nullable=True),
    Column("last_error", String(1000), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Index("ix_outbox_status_not_before", "status", "not_before"),
    Index("ix_outbox_group_key_status", "group_key", "status"),
    Index("ix_outbox_endpoint_id_created_at", "endpoint_id", "created_at"),
)

outbox_attempts = Table(
    # Every delivery attempt, kept for the delivery logs staff read.
    "outbox_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("outbox_id", Id, ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", String(1000), nullable=True),
    Column("duration_ms", Integer, nullable=False),
    # Which worker made the attempt (its lease owner: host, process id, random part).
    Column("worker", String(64), nullable=True),
    Index("ix_outbox_attempts_outbox_id", "outbox_id"),
)

subscriptions = Table(
    # A "Notify of" choice: kind `thread` (thread_id), `replies` (any comment by `email`
    # on the site) or `comment` (replies to comment_id). Nothing but the confirmation
    # mail goes to the address before `confirmed_at`.
    "subscriptions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", String(64), ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(254), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("thread_id", Id, ForeignKey("threads.id", ondelete="CASCADE"), nullable=True),
    Column("comment_id", Id, ForeignKey("comments.id", ondelete="CASCADE"), nullable=True),
    Column("reader_id", String(64), nullable=True),
    Column("locale", String(20), nullable=True),
    Column("confirmed_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_subscriptions_site_id_email", "site_id", "email"),
    Index("ix_subscriptions_thread_id", "thread_id"),
    Index("ix_subscriptions_comment_id", "comment_id"),
)

reader_accounts = Table(
    # A reader who signed in by email link: `id` is the reader id their tokens carry.
    "reader_accounts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("site_id", String(64), ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(254), nullable=False),
    Column("display_name", String(80), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_signin_at", UTCDateTime, nullable=True),
    UniqueConstraint("site_id", "email"),
)

email_links = Table(
    # Single-use links sent by mail (reader sign-in, staff password reset): only the
    # SHA-256 of the token is kept, so a copy of the database signs nobody in.
    "email_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("purpose", String(16), nullable=False),
    Column("site_id", String(64), ForeignKey("sites.id", ondelete="CASCADE"), nullable=True),
    Column("email", String(254), nullable=False),
    Column("reader_id", String(64), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Index("ix_email_links_email", "email"),
)

webhook_endpoints = Table(
    # A newsroom system told of events by signed HTTPS calls.
    "webhook_endpoints",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", String(64), ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("secret", String(100), nullable=False),
    Column("events", JSON, nullable=False),
    Column("description", String(200), nullable=False, server_default=""),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_webhook_endpoints_site_id", "site_id"),
)

demo_mailbox = Table(
    # `talkback demo` without TALKBACK_SMTP_URL: mail kept here and shown at /demo/mailbox.
    "demo_mailbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("message_id", String(200), nullable=False),
    Column("recipient", String(254), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("raw", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
