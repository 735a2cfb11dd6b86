"""`talkback demo` as its own process, the way a newcomer starts it: writes work, the log is
clean, Ctrl+C shuts it down and leaves the SQLite database closed.

In-process tests share one event loop between seeding and serving; the demo's own process
seeds first and serves afterwards, which once bound the writer to a finished loop. Only a
real process shows that.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

STARTUP_SECONDS = 90
SHUTDOWN_SECONDS = 30
PROBLEMS_IN_LOG = (
    "Traceback",
    "ERROR",
    "Task exception was never retrieved",
    "shutdown failed",
    "group_commit_failed",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class DemoProcess:
    process: subprocess.Popen[str]
    base_url: str
    data_dir: Path

    @property
    def origin(self) -> str:
        return self.base_url

    def stop(self) -> str:
        """Send Ctrl+C and return everything the process printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            output, _ = self.process.communicate(timeout=SHUTDOWN_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
            pytest.fail(f"talkback demo did not stop within {SHUTDOWN_SECONDS} s:\n{output}")
        return output


def start_demo(data_dir: Path) -> DemoProcess:
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TALKBACK_") or key == "TALKBACK_REQUIRE_SERVICES"
    }
    env["TALKBACK_DATA_DIR"] = str(data_dir)
    process = subprocess.Popen(
        [sys.executable, "-m", "talkback", "demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    demo = DemoProcess(process, f"http://127.0.0.1:{port}", data_dir)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"talkback demo exited early:\n{demo.stop()}")
        try:
            if httpx.get(f"{demo.base_url}/healthz", timeout=2).status_code == 200:
                return demo
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail(f"talkback demo did not answer within {STARTUP_SECONDS} s:\n{demo.stop()}")


@pytest.fixture
def demo_process(tmp_path: Path) -> Iterator[DemoProcess]:
    demo = start_demo(tmp_path / "data")
    yield demo
    if demo.process.poll() is None:
        demo.process.kill()
        demo.process.communicate()


def exercise_writes(demo: DemoProcess) -> int:
    """Post, edit, vote, reply and delete as a reader of the demo article would; returns
    the reply's id (to the oldest comment, whose author subscribed to its replies)."""
    headers = {"Origin": demo.origin}
    with httpx.Client(base_url=demo.base_url, headers=headers, timeout=30) as client:
        me = client.get("/api/v1/demo/me", params={"uri": "/"})
        assert me.status_code == 200, me.text
        reader = {"X-Talkback-Reader": me.json()["reader_token"]}
        posted = client.post(
            "/api/v1/demo/comments",
            params={"uri": "/"},
            json={"text": "The review should publish its terms this week.", "author_name": "Ana"},
            headers=reader,
        )
        assert posted.status_code == 201, posted.text
        comment_id = posted.json()["comment"]["id"]
        edit = {**reader, "X-Edit-Token": posted.json()["edit_token"]}
        edited = client.patch(
            f"/api/v1/demo/comments/{comment_id}",
            json={"text": "The review should publish its terms within the month."},
            headers=edit,
        )
        assert edited.status_code == 200, edited.text
        thread = client.get("/api/v1/demo/comments", params={"uri": "/", "sort": "oldest"})
        # The oldest comment: the editor's pinned note comes before it in every sort.
        first = next(c["id"] for c in thread.json()["comments"] if not c.get("pinned"))
        voted = client.post(
            f"/api/v1/demo/comments/{first}/vote", json={"value": 1}, headers=reader
        )
        assert voted.status_code == 200, voted.text
        reply = client.post(
            "/api/v1/demo/comments",
            params={"uri": "/"},
            json={"text": "Agreed, and the costs with it.", "parent_id": first},
            headers=reader,
        )
        assert reply.status_code == 201, reply.text
        deleted = client.delete(f"/api/v1/demo/comments/{comment_id}", headers=edit)
        assert deleted.status_code == 204, deleted.text
        return int(reply.json()["comment"]["id"])


def mailbox_link_to(demo: DemoProcess, address: str, fragment: str) -> bool:
    """Whether the demo mailbox holds a mail to `address` linking to `fragment`, waiting
    out the demo's digest window (ten seconds) with room to spare."""
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=demo.base_url, timeout=30) as client:
        while time.monotonic() < deadline:
            listing = client.get("/demo/mailbox")
            assert listing.status_code == 200, listing.text
            for mail_id in re.findall(r'href="/demo/mailbox/(\d+)"', listing.text):
                mail = client.get(f"/demo/mailbox/{mail_id}").text
                if address in mail and fragment in mail:
                    return True
            time.sleep(0.5)
    return False


def test_demo_writes_leave_a_clean_log_and_ctrl_c_closes_the_database(
    demo_process: DemoProcess,
) -> None:
    reply_id = exercise_writes(demo_process)
    # The sample author of the oldest comment asked to hear of replies to it: the reply's
    # notification reaches the mailbox through the demo's own in-process outbox worker.
    assert mailbox_link_to(demo_process, "priya.raman@reader.example", f"#comment-{reply_id}")
    output = demo_process.stop()
    assert demo_process.process.returncode == 0, output
    for problem in PROBLEMS_IN_LOG:
        assert problem not in output, f"{problem!r} in the demo's log:\n{output}"
    assert "Application shutdown complete" in output, output
    wal = demo_process.data_dir / "talkback.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0, "the database was not closed"


def test_demo_start_up_names_the_admin_and_its_sign_in(demo_process: DemoProcess) -> None:
    """A newcomer is told where the moderators' pages are and how to sign in to them."""
    output = demo_process.stop()
    admin_line = re.search(
        r"Admin: (http://\S+/admin/) .*sign in as (\S+) with password (\S+)", output
    )
    assert admin_line is not None, output
    url, email, password = admin_line.groups()
    again = start_demo(demo_process.data_dir)
    try:
        with httpx.Client(base_url=again.base_url, timeout=30) as client:
            assert client.get("/admin/login").status_code == 200
            signed_in = client.post(
                "/admin/login",
                data={"email": email, "password": password},
                headers={"Origin": again.base_url},
            )
            assert signed_in.status_code == 303, signed_in.text
            assert client.get("/admin/demo/queue").status_code == 200
    finally:
        restarted_output = again.stop()
    assert f"sign in as {email} with password {password}" in restarted_output
    assert url.endswith("/admin/")
