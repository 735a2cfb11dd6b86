"""`talkback import …`, `talkback export` and `talkback reader …`: data in and out.

Kept apart from `main.py` so the main command module stays a table of contents; `main.py`
registers these commands. Progress bars and errors go to standard error, so
`talkback export --site x > file` and `talkback reader export … > file` stay clean.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from talkback.cli.support import console, errors, fail, run_reporting_errors
from talkback.config import MissingSecretKey, get_settings
from talkback.context import Context
from talkback.errors import TalkbackError
from talkback.export.site import ExportSummary, export_site
from talkback.importers.formats.commento import COMMENTO
from talkback.importers.formats.disqus import DISQUS
from talkback.importers.formats.isso import ISSO
from talkback.importers.formats.talkback_jsonl import TALKBACK
from talkback.importers.formats.wordpress import WORDPRESS
from talkback.importers.formats.wpdiscuz import read_forms_table
from talkback.importers.options import ImportOptions, UrlMap, zone
from talkback.importers.run import Source, run_import
from talkback.importers.summary import ImportSummary
from talkback.moderation.classifier import ScorerNotFound
from talkback.readers.data import delete_reader_data, write_reader_data
from talkback.sites.sites import load_site

T = TypeVar("T")

import_app = typer.Typer(
    help="Import comments from another system. Safe to repeat: a second run adds nothing.",
    no_args_is_help=True,
)
reader_app = typer.Typer(help="A reader's own data: export it, or delete it.", no_args_is_help=True)

File = Annotated[Path, typer.Argument(metavar="FILE", help="The export file.")]
SiteId = Annotated[str, typer.Option("--site", metavar="ID", help="The site to import into.")]
Lenient = Annotated[
    bool,
    typer.Option(
        help="Import what is sound in a malformed file and report the rest, instead of "
        "refusing the whole file."
    ),
]
ScreenFlag = Annotated[
    bool,
    typer.Option(
        "--screen",
        help="Run comments the source published through this site's moderation, as new "
        "comments are; what it would hold or reject is imported as pending, with its "
        "findings, for a moderator (docs/moderation.md).",
    ),
]
UrlMaps = Annotated[
    list[str] | None,
    typer.Option(
        "--url-map",
        metavar="OLD=NEW",
        help="Rewrite page addresses starting with OLD to start with NEW (repeatable).",
    ),
]


def _with_context(work: Callable[[Context], Awaitable[T]]) -> T:
    """Run async work with a full service context, reporting our errors as messages."""
    try:
        context = Context.from_settings(get_settings())
    except (MissingSecretKey, ScorerNotFound) as exc:
        raise fail(str(exc)) from exc

    async def run() -> T:
        try:
            return await work(context)
        finally:
            await context.close()

    return run_reporting_errors(run)


class _Bars:
    """Progress as rich bars on standard error: an import's bytes read, then comments
    written; an export's records; a reader export's records, list by list."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def phase(self, name: str, total: int | None) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=self._progress.tasks[-1].total)
        unit = {"reading": "bytes", "writing": "comments", "exporting": "records"}.get(name, "")
        self._task = self._progress.add_task(f"{name} ({unit})" if unit else name, total=total)

    def advance(self, amount: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)


def _progress_bars() -> Progress:
    return Progress(
        TextColumn("{task.description:>18}"),
        BarColumn(),
        TaskProgressColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=False,
    )


def _run_import(source: Source, file: Path, site: str, options: ImportOptions) -> None:
    bars = _progress_bars()

    async def work(context: Context) -> ImportSummary:
        with bars:
            return await run_import(context, site, file, source, options, _Bars(bars))

    _print_summary(_with_context(work))


def _print_summary(summary: ImportSummary) -> None:
    table = Table("outcome", "count", title=f"{summary.source} import")
    table.add_row("threads created", str(summary.threads_created))
    table.add_row("threads updated", str(summary.threads_updated))
    for status, count in sorted(summary.imported.items()):
        table.add_row(f"comments imported ({status})", str(count))
    if summary.votes_imported:
        table.add_row("votes imported", str(summary.votes_imported))
    if summary.campaigns_created:
        table.add_row("campaigns created", str(summary.campaigns_created))
    if summary.donations_imported:
        table.add_row("donations imported", str(summary.donations_imported))
    for reason, count in summary.skipped.most_common():
        table.add_row(f"skipped: {reason}", str(count))
    for reason, count in summary.notes.most_common():
        table.add_row(f"note: {reason}", str(count))
    console.print(table)
    if summary.problem_count:
        console.print(f"{summary.problem_count} malformed spot(s) recovered from (lenient):")
        for problem in summary.problems:
            console.print(f"  {problem}", markup=False)


def _options(
    *,
    lenient: bool = False,
    url_map: list[str] | None = None,
    keep_pingbacks: bool = False,
    timezone: str = "UTC",
    wpdiscuz_forms: Path | None = None,
    screen: bool = False,
) -> Callable[[str], ImportOptions]:
    parsed_map = UrlMap.parse(url_map or [])
    tz = zone(timezone)
    forms = read_forms_table(wpdiscuz_forms) if wpdiscuz_forms is not None else {}
    return lambda secret: ImportOptions(
        secret_key=secret, lenient=lenient, url_map=parsed_map,
        keep_pingbacks=keep_pingbacks, timezone=tz, wpdiscuz_forms=forms, screen=screen,
    )  # fmt: skip


def _import(source: Source, file: Path, site: str, make: Callable[[str], ImportOptions]) -> None:
    try:
        secret = get_settings().require_secret_key()
    except MissingSecretKey as exc:
        raise fail(str(exc)) from exc
    _run_import(source, file, site, make(secret))


def _checked(build: Callable[[], Callable[[str], ImportOptions]]) -> Callable[[str], ImportOptions]:
    try:
        return build()
    except TalkbackError as exc:
        raise fail(exc.message) from exc


@import_app.command("wordpress")
def import_wordpress(
    file: File,
    site: SiteId,
    lenient: Lenient = False,
    url_map: UrlMaps = None,
    keep_pingbacks: Annotated[
        bool, typer.Option(help="Import pingbacks and trackbacks too (skipped by default).")
    ] = False,
    timezone: Annotated[
        str,
        typer.Option(help="Time zone of comment_date, used only when comment_date_gmt is missing."),
    ] = "UTC",
    wpdiscuz_forms: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="wpDiscuz's feedback forms table (`wp db query \"SELECT id, unique_id FROM "
            'wp_wc_feedback_forms"` saved to a file), so inline feedback on posts with '
            "several forms is placed on its passage (docs/inline-feedback.md).",
        ),
    ] = None,
    screen: ScreenFlag = False,
) -> None:
    """Import a WordPress export (WXR, Tools → Export)."""
    make = _checked(
        lambda: _options(lenient=lenient, url_map=url_map, keep_pingbacks=keep_pingbacks,
                         timezone=timezone, wpdiscuz_forms=wpdiscuz_forms, screen=screen)
    )  # fmt: skip
    _import(WORDPRESS, file, site, make)


@import_app.command("disqus")
def import_disqus(
    file: File,
    site: SiteId,
    lenient: Lenient = False,
    url_map: UrlMaps = None,
    screen: ScreenFlag = False,
) -> None:
    """Import a Disqus XML export."""
    make = _checked(lambda: _options(lenient=lenient, url_map=url_map, screen=screen))
    _import(DISQUS, file, site, make)


@import_app.command("isso")
def import_isso(
    file: File, site: SiteId, url_map: UrlMaps = None, screen: ScreenFlag = False
) -> None:
    """Import an Isso SQLite database, or a JSON file in Isso's generic import format."""
    _import(ISSO, file, site, _checked(lambda: _options(url_map=url_map, screen=screen)))


@import_app.command("commento")
def import_commento(
    file: File, site: SiteId, url_map: UrlMaps = None, screen: ScreenFlag = False
) -> None:
    """Import a Commento or Commento++ JSON export."""
    _import(COMMENTO, file, site, _checked(lambda: _options(url_map=url_map, screen=screen)))


@import_app.command("talkback")
def import_talkback(
    file: File,
    site: Annotated[
        str, typer.Option("--site", metavar="ID", help="Target site; created if missing.")
    ],
    lenient: Lenient = False,
    url_map: UrlMaps = None,
    screen: ScreenFlag = False,
) -> None:
    """Import a Talkback export (from `talkback export`), e.g. to move a site."""
    make = _checked(lambda: _options(lenient=lenient, url_map=url_map, screen=screen))
    _import(TALKBACK, file, site, make)


def _write_out(output: Path | None, work: Callable[[Callable[[str], object]], T]) -> T:
    """Run `work` with a function that writes to standard output or to `output`.

    A file is written under a `.partial` name and renamed when complete, so a failed or
    interrupted export never leaves a file that looks whole.
    """
    if output is None:
        return work(sys.stdout.write)
    partial = output.with_name(output.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="\n") as sink:
        try:
            result = work(sink.write)
        except BaseException:
            sink.close()
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, output)
    return result


Output = Annotated[Path | None, typer.Option(help="Write here instead of standard output.")]


def export_command(
    site: Annotated[str, typer.Option("--site", metavar="ID", help="The site to export.")],
    output: Output = None,
) -> None:
    """Export a site as JSON Lines (docs/export-format.md), streamed, with a progress bar
    on standard error."""
    bars = _progress_bars()

    def export(write: Callable[[str], object]) -> ExportSummary:
        async def work(context: Context) -> ExportSummary:
            with bars:
                return await export_site(context, site, write, _Bars(bars))

        return _with_context(work)

    summary = _write_out(output, export)
    errors.print(
        f"exported {summary.threads} threads, {summary.comments} comments, {summary.votes} votes, "
        f"{summary.campaigns} campaigns, {summary.donations} donations, "
        f"{summary.staff} staff accounts"
    )


@reader_app.command("export")
def reader_export(
    email: Annotated[str, typer.Argument(help="The reader's email address.")],
    site: Annotated[str, typer.Option("--site", metavar="ID")],
    output: Output = None,
) -> None:
    """Export all data held about the reader with this email, as JSON, streamed, with a
    progress bar on standard error."""
    bars = _progress_bars()

    def export(write: Callable[[str], object]) -> None:
        async def work(context: Context) -> None:
            site_row = await load_site(context.database, site)
            with bars:
                await write_reader_data(context, site_row, email, write, _Bars(bars))

        _with_context(work)

    _write_out(output, export)


@reader_app.command("delete")
def reader_delete(
    email: Annotated[str, typer.Argument(help="The reader's email address.")],
    site: Annotated[str, typer.Option("--site", metavar="ID")],
    keep_comments_anonymous: Annotated[
        bool,
        typer.Option(
            "--keep-comments-anonymous/--remove-comments",
            help="Keep their comments without any trace of who wrote them (default), or "
            "remove them (a removed comment with replies stays as a placeholder).",
        ),
    ] = True,
) -> None:
    """Delete the data held about the reader with this email."""

    async def work(context: Context) -> str:
        site_row = await load_site(context.database, site)
        done = await delete_reader_data(context, site_row, email, keep_comments_anonymous)
        return (
            f"comments anonymised: {done.comments_anonymised}, removed: {done.comments_removed}; "
            f"votes withdrawn: {done.votes_withdrawn}; reports removed: {done.reports_removed}; "
            f"donations anonymised: {done.donations_anonymised} (name, email and message "
            "removed; amounts, dates and payment references kept for the campaign totals "
            "and the books)"
        )

    console.print(_with_context(work))
