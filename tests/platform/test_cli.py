"""The `govbot` command line, run as a user would run it."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

GOVBOT = [sys.executable, "-m", "bot"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVBOT_", "Microsoft"))}
    env["GOVBOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/govbot.db"
    env.update(extra)
    return env


def test_ask_answers_through_the_same_pipeline(tmp_path: Path) -> None:
    result = subprocess.run(
        [*GOVBOT, "ask", "hjælp"], env=_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "Det kan jeg hjælpe med" in result.stdout
    assert "[Nyt it-system]" in result.stdout


def test_ask_with_demo_data_answers_from_the_demo_municipality(tmp_path: Path) -> None:
    # GOVBOT_DEMO_DATA fills the database as `govbot serve` does (the README's example).
    result = subprocess.run(
        [*GOVBOT, "ask", "hvem er systemejer for SBSYS"],
        env=_env(tmp_path, GOVBOT_DEMO_DATA="1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Mette Holm" in result.stdout


def test_chat_holds_a_conversation(tmp_path: Path) -> None:
    # The profile card's "Ret enhed" picked by its number, the unit answered; then help's first
    # button.
    script = "hej\nmin profil\n1\nSundhed og Omsorg\nhjælp\n1\n"
    result = subprocess.run(
        [*GOVBOT, "chat", "--name", "Anne"],
        input=script,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1] Ret enhed" in out and "Hvilken enhed" in out
    assert "du er i **Sundhed og Omsorg**" in out
    assert "[1] Hvem ejer et system?" in out


def test_version_and_db_upgrade(tmp_path: Path) -> None:
    version = subprocess.run([*GOVBOT, "version"], capture_output=True, text=True, timeout=30)
    assert version.returncode == 0 and version.stdout.strip()
    upgrade = subprocess.run(
        [*GOVBOT, "db", "upgrade"], env=_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert upgrade.returncode == 0, upgrade.stderr
    assert (tmp_path / "govbot.db").exists()


@pytest.mark.parametrize(("variable", "value"), [("GOVBOT_PORT", "x"), ("GOVBOT_TIMEZONE", "Nope")])
def test_bad_configuration_stops_with_one_line(tmp_path: Path, variable: str, value: str) -> None:
    result = subprocess.run(
        [*GOVBOT, "serve"],
        env=_env(tmp_path, **{variable: value}),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0]


def test_serve_refuses_anonymous_mode_off_loopback(tmp_path: Path) -> None:
    result = subprocess.run(
        [*GOVBOT, "serve"],
        env=_env(tmp_path, GOVBOT_HOST="0.0.0.0"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "MicrosoftAppId" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy_within(url: str, *, seconds: float) -> bool:
    """Whether /healthz answers 200 before `seconds` pass (503 while start-up's work runs)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as health:
                return health.status == 200
        except urllib.error.HTTPError as error:
            assert error.code == 503
        time.sleep(0.05)  # polls for the start-up to end, never to show that nothing happens
    return False


def test_serve_names_the_url_to_paste_and_logs_in_english(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path, GOVBOT_PORT=str(port), GOVBOT_DEMO_DATA="1", GOVBOT_DISPATCHER="0")
    server = subprocess.Popen(
        [*GOVBOT, "serve"], env=env, stderr=subprocess.PIPE, text=True, encoding="utf-8"
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stderr or []]).start()
    log: list[str] = []
    try:
        while not any("listening on" in line for line in log):
            log.append(lines.get(timeout=60))  # a line, or the test fails after a minute
        url = f"http://127.0.0.1:{port}/api/messages"
        assert f"govbot listening on {url}" in log[-1]
        assert _healthy_within(f"http://127.0.0.1:{port}/healthz", seconds=60)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert any("demo data loaded" in line for line in log)
    danish = [line for line in log if any(c in line for c in "æøåÆØÅ")]  # "demodata indlæst"
    assert danish == []
