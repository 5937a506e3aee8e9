"""The bots under test, each in its own process on a loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import requests

REPO = Path(__file__).resolve().parent.parent
READY_TIMEOUT_SECONDS = 60.0


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A started bot process: its base URL, how long it took to answer, and its memory."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    startup_seconds: float
    log: Path

    def rss_mb(self) -> float:
        """Resident memory of the process (and any children), in MB."""
        proc = psutil.Process(self.process.pid)
        total = proc.memory_info().rss
        total += sum(child.memory_info().rss for child in proc.children(recursive=True))
        return total / 1e6

    def cpu_seconds(self) -> float:
        """User + system CPU time used so far."""
        times = psutil.Process(self.process.pid).cpu_times()
        return times.user + times.system

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it will not go."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("microsoftapp")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def start(name: str, argv: list[str], *, port: int, env: dict[str, str], workdir: Path) -> Server:
    """Spawn `argv`, wait until GET /healthz answers 200, and time it."""
    log = workdir / f"{name}.log"
    began = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=workdir, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    deadline = began + READY_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see {log}")
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(name, process, url, time.perf_counter() - began, log)
        except requests.RequestException:
            pass
        time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"{name} did not answer /healthz within {READY_TIMEOUT_SECONDS:.0f} s")


def start_echo(workdir: Path) -> Server:
    """The bare botbuilder echo bot."""
    port = free_port()
    argv = [sys.executable, "-m", "bench.echo_bot", str(port)]
    return start("echo", argv, port=port, env=_base_env(), workdir=workdir)


def start_govbot(workdir: Path, database_url: str, *, name: str = "govbot", **env: str) -> Server:
    """`govbot serve` on a free port with an empty app id (loopback development mode), the
    README's defaults otherwise, plus the demo data."""
    port = free_port()
    settings = {
        "GOVBOT_DATABASE_URL": database_url,
        "GOVBOT_HOST": "127.0.0.1",
        "GOVBOT_PORT": str(port),
        "GOVBOT_LOG_LEVEL": "INFO",
        # What `make run` serves: the demo municipality on top of the bench's directory.
        "GOVBOT_DEMO_DATA": "1",
        # The per-user limit (30 turns a minute) guards against abuse; the bench's users are
        # deliberately far busier than people, so it is off here (the one setting that is not
        # the README's default).
        "GOVBOT_RATE_LIMIT_PER_MINUTE": "0",
        # The repository's model cache, as `make run` uses it (`govbot nlu build` fills it).
        "GOVBOT_MODEL_CACHE": str(REPO / "var" / "nlu"),
        "MicrosoftAppId": "",
        **env,
    }
    argv = [sys.executable, "-m", "bot", "serve"]
    return start(name, argv, port=port, env=_base_env(**settings), workdir=workdir)
