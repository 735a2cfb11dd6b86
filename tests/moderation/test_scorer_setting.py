"""`TALKBACK_SCORER` swaps the toxicity scorer for one of the deployment's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from talkback.app import create_app
from talkback.config import Settings
from talkback.moderation.classifier import ScorerNotFound
from tests.api.conftest import running_api

HERE = "tests.moderation.test_scorer_setting"


class FruitScorer:
    """A scorer of this test's own: abusive means mentioning fruit on pizza, which the
    shipped model finds harmless, so only the plugged scorer can reject it."""

    warmed = False

    async def warm_up(self) -> None:
        FruitScorer.warmed = True

    async def score(self, text: str) -> float:
        return 0.99 if "pineapple" in text.lower() else 0.01


def not_a_scorer() -> object:
    return "a string has no score method"


async def test_the_scorer_named_by_the_environment_judges_new_comments(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALKBACK_SCORER", f"{HERE}:FruitScorer")
    async with running_api(database_url, rate_limits="off") as api:
        rejected = await api.post("Pineapple on pizza is a fine tradition.")
        published = await api.post("Anchovies on pizza are a fine tradition.")

    assert FruitScorer.warmed
    assert rejected.status_code == 202
    assert rejected.json()["comment"]["status"] == "rejected"
    assert rejected.json()["moderation"]["reasons"] == ["toxicity"]
    assert published.status_code == 201
    assert published.json()["comment"]["status"] == "approved"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no-colon", "write it as module:attribute"),
        ("tests.moderation.no_such_module:Scorer", "No module named"),
        (f"{HERE}:Missing", "has no attribute 'Missing'"),
        (f"{HERE}:not_a_scorer", "made a str, which lacks"),
    ],
)
def test_a_wrong_scorer_setting_stops_the_server_at_start(
    spec: str, message: str, tmp_path: Path
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'talkback.db'}"
    settings = Settings(database_url=database, secret_key="k", scorer=spec)
    with pytest.raises(ScorerNotFound, match=message):
        create_app(settings)
