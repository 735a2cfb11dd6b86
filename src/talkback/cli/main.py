"""The `talkback` command: run the server or the demo, migrate, and manage sites (staff
accounts in `users.py`, data in and out in `data.py`)."""

from __future__ import annotations

import logging
import os
from typing import Annotated, Any

import typer
import uvicorn
from rich.table import Table

from talkback import __version__
from talkback.cli.backups import backup_command, restore_command
from talkback.cli.data import export_command, import_app, reader_app
from talkback.cli.support import console, fail, run_reporting_errors, with_database
from talkback.cli.users import user_app
from talkback.config import MissingSecretKey, Settings, get_settings
from talkback.live.brokers import BrokerUnavailable, is_shared
from talkback.sites import sites as site_service
from talkback.store.database import Database
from talkback.store.migrate import migrate as migrate_database
from talkback.web.http_protocol import BoundedHeadProtocol

app = typer.Typer(
    help="Talkback: comments and reader funding for news sites.", no_args_is_help=True
)
site_app = typer.Typer(
    help="Manage the sites (publications) this server hosts.", no_args_is_help=True
)
app.add_typer(site_app, name="site")
app.add_typer(import_app, name="import")
app.command("export")(export_command)
app.add_typer(reader_app, name="reader")
app.add_typer(user_app, name="user")
app.command("backup")(backup_command)
app.command("restore")(restore_command)

Host = Annotated[str, typer.Option(help="Interface to listen on.")]
Port = Annotated[int, typer.Option(help="TCP port to listen on.")]


def _version(value: bool) -> None:
    if value:
        console.print(f"talkback {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


@app.command()
def migrate() -> None:
    """Apply database migrations (safe to run on every deploy)."""
    with_database(get_settings(), migrate_database)
    console.print("database is up to date")


@app.command()
def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Run the production server; configuration comes from TALKBACK_* variables.

    Several workers need a broker every process shares (TALKBACK_BROKER_URL=redis://…):
    with `memory://` each would keep its own live updates, rate limits and caches.
    """
    settings = get_settings()
    try:
        settings.require_secret_key()
    except MissingSecretKey as exc:
        raise fail(str(exc)) from exc
    if workers > 1 and not is_shared(settings.broker_url):
        raise fail(split_workers_message(workers))
    options = server_options(settings)
    from talkback.observability.multiprocess import share_metrics_between_workers

    share_metrics_between_workers(workers)  # before they start: /metrics adds theirs up
    uvicorn.run(
        "talkback.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        **options,
    )


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options that Talkback's settings decide (docs/deploy.md, "Limits on
    abusive clients").

    Proxy headers are believed only from `TALKBACK_TRUSTED_PROXIES`, never from uvicorn's
    own default (loopback) or its `FORWARDED_ALLOW_IPS`, which serve refuses so that an
    old environment file cannot quietly trust a different list. A request's head may not
    exceed 32 KiB (`web/http_protocol.py`), a connection idle between requests closes
    after 5 s (uvicorn's default, stated so a change of theirs does not change ours);
    bodies have their own deadline in the app (`web/body_limit.py`), and a head trickled
    in slowly is nginx's to cut (`client_header_timeout`).
    """
    if "FORWARDED_ALLOW_IPS" in os.environ:
        raise fail(
            "FORWARDED_ALLOW_IPS is no longer read: name the proxies Talkback may believe "
            "in TALKBACK_TRUSTED_PROXIES instead (docs/deploy.md)"
        )
    trusted = settings.trusted_proxies.strip()
    return {
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
        "http": BoundedHeadProtocol,
        "timeout_keep_alive": 5,
    }


def split_workers_message(workers: int) -> str:
    return (
        f"--workers {workers} needs a broker the workers share: with TALKBACK_BROKER_URL="
        "memory:// (the default) each worker process would keep its own live updates "
        "(a widget would miss comments posted through another worker), its own rate "
        "limits (each worker would allow the full rate) and its own caches of site "
        "settings. Set TALKBACK_BROKER_URL=redis://HOST:6379/0 (the same for every "
        "worker and node), or run one worker (--workers 1)."
    )


@app.command()
def worker() -> None:
    """Deliver the outbox (mail, webhooks) until interrupted; run any number of these.

    For deployments whose web processes run with TALKBACK_OUTBOX_WORKER=off. On
    PostgreSQL several workers share the work and never send one message twice.
    """
    import asyncio
    import signal

    from talkback.context import Context

    settings = get_settings()
    try:
        settings.require_secret_key()
    except MissingSecretKey as exc:
        raise fail(str(exc)) from exc

    async def run() -> None:
        context = Context.from_settings(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await context.live.start()  # site settings changed elsewhere reach it too
            console.print("talkback worker: delivering the outbox (Ctrl-C to stop)")
            await context.outbox.worker.run(stop)
        except BrokerUnavailable as exc:
            raise fail(str(exc)) from exc
        finally:
            await context.close()

    run_reporting_errors(run)


mail_app = typer.Typer(help="Outgoing mail.", no_args_is_help=True)
app.add_typer(mail_app, name="mail")


@mail_app.command("check")
def mail_check(
    address: Annotated[str, typer.Argument(help="Where the test mail goes.")],
) -> None:
    """Queue a test mail to ADDRESS; a running server or `talkback worker` sends it."""
    from talkback.mail.check_mail import queue_check_mail

    settings = get_settings()
    if not settings.smtp_url:
        raise fail("TALKBACK_SMTP_URL is not set: this server sends no mail")
    with_database(
        settings,
        lambda db: db.write(
            lambda conn: queue_check_mail(conn, address, requested_by="talkback mail check")
        ),
    )
    console.print(f"test mail to {address} queued; a running server or `talkback worker` sends it")


@app.command()
def demo(host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Migrate a local SQLite database, seed a sample article and serve it all."""
    from talkback.app import create_app
    from talkback.demo.content import demo_origins, demo_settings, seed_demo

    settings = demo_settings(get_settings(), public_url=f"http://{host}:{port}")
    with_database(settings, migrate_database)
    admin = run_reporting_errors(lambda: seed_demo(settings, demo_origins(host, port)))
    console.print(f"Talkback demo: open http://{host}:{port}/", soft_wrap=True)
    password = (
        f"with password {admin.password}"
        if admin.password
        else f"(its password file in {settings.data_dir} was removed)"
    )
    console.print(
        f"Admin: http://{host}:{port}/admin/ - sign in as {admin.email} {password}",
        soft_wrap=True,
        markup=False,
    )
    if settings.demo_mailbox:
        console.print(f"Mail (no TALKBACK_SMTP_URL set): http://{host}:{port}/demo/mailbox")
    uvicorn.run(
        create_app(settings, demo=True), host=host, port=port, access_log=False,
        **server_options(settings),
    )  # fmt: skip


@site_app.command("add")
def site_add(
    site_id: Annotated[str, typer.Argument(metavar="ID", help="Short id, e.g. courier.")],
    name: Annotated[str, typer.Option(help="The publication's name.")],
    origin: Annotated[
        list[str], typer.Option(help="An origin allowed to embed, e.g. https://news.example.")
    ],
    locale: Annotated[str, typer.Option(help="Locale for dates and money.")] = "en_US",
) -> None:
    """Add a site."""
    site = with_database(
        get_settings(),
        lambda db: site_service.create_site(db, site_id, name=name, origins=origin, locale=locale),
    )
    console.print(f"site {site.id} added")


@site_app.command("list")
def site_list() -> None:
    """List sites with their settings."""
    sites = with_database(get_settings(), site_service.list_sites)
    table = Table("id", "name")
    table.add_column("origins", no_wrap=True)
    for heading in ("locale", "edit window", "moderation"):
        table.add_column(heading)
    for site in sites:
        table.add_row(
            site.id, site.name, "\n".join(site.origins), site.locale,
            f"{site.edit_window_seconds}s", site.moderation_mode,
        )  # fmt: skip
    console.print(table)


@site_app.command("set")
def site_set(
    site_id: Annotated[str, typer.Argument(metavar="ID")],
    key: Annotated[str, typer.Argument(help=", ".join(site_service.SETTABLE_KEYS))],
    value: Annotated[str, typer.Argument(help="origins: comma-separated; edit_window: seconds")],
) -> None:
    """Change one setting of a site; running servers hear of it through the broker."""
    from talkback.live.brokers import Notice
    from talkback.live.invalidation import announce_once

    settings = get_settings()

    async def change(database: Database) -> bool:
        await site_service.set_site_option(database, site_id, key, value)
        return await announce_once(settings.broker_url, Notice("site", site_id))

    if with_database(settings, change):
        console.print(f"site {site_id}: {key} set; running servers told", soft_wrap=True)
    else:
        console.print(
            f"site {site_id}: {key} set; running servers apply it within "
            f"{site_service.CACHE_SECONDS:.0f} s (no broker told them)",
            soft_wrap=True,
        )
