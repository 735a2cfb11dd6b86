"""`talkback worker` and `talkback mail check` as an operator runs them: real processes,
a real SMTP server, signals."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from talkback.store.database import Database
from tests.mail_sink import MailSink
from tests.outbox.harness import (
    MAIL_FROM,
    SlowMailSink,
    WorkerProcess,
    poll,
    prepared_database,
    run_cli,
    status_counts,
    tally,
    worker_env,
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_mail_check_is_delivered_by_the_worker_which_stops_cleanly_on_a_signal(
    tmp_path: Path, mail_sink: MailSink, signum: int
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'talkback.db'}"
    await prepared_database(database_url, 0)
    env = worker_env(database_url, tmp_path, mail_sink.url)
    code, output = await run_cli(env, "mail", "check", "ops@example.org")
    assert code == 0, output
    assert "queued" in output

    worker = WorkerProcess(env, tmp_path / "worker.log")
    database = Database(database_url)
    try:
        await worker.ready()
        [mail] = await mail_sink.until(1, within=30)

        async def marked_sent() -> bool:
            return await status_counts(database) == {"sent": 1}

        await poll(marked_sent, within=30, what="the check mail marked sent")
        assert str(mail["To"]) == "ops@example.org"
        assert str(mail["Message-ID"]).endswith(f"@{MAIL_FROM.rpartition('@')[2]}>")
        assert (await tally(database, mail_sink)).delivered == 1
        code = worker.stop(signum)
    finally:
        worker.ensure_gone()
        await database.close()
    output = worker.output()
    assert code == 0, output
    assert "Traceback" not in output


async def test_a_worker_stopped_mid_batch_finishes_its_sends_and_hands_back_the_rest(
    tmp_path: Path,
) -> None:
    sink = SlowMailSink(delay_seconds=0.05)
    sink.start()
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'talkback.db'}"
    await prepared_database(database_url, 100)
    worker = WorkerProcess(worker_env(database_url, tmp_path, sink.url), tmp_path / "w.log")
    database = Database(database_url)
    try:
        await worker.ready()

        async def some_arrived() -> bool:
            return sink.count() >= 5

        await poll(some_arrived, within=60, what="a few mails delivered")
        code = worker.stop(signal.SIGTERM, within=30)
        counts = await status_counts(database)
        result = await tally(database, sink)
    finally:
        worker.ensure_gone()
        await database.close()
        sink.stop()
    assert code == 0, worker.output()
    assert "Traceback" not in worker.output()
    # Nothing is left leased to a worker that is gone: the rest waits for the next one.
    assert set(counts) == {"sent", "pending"}, counts
    assert counts["sent"] == result.delivered == sink.count()
    assert result.received_twice == 0
