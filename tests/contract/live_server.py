"""A real ``qa serve`` process on a free loopback port, for the contract run and the web tests:
started with its own data folder, polled until ``/api/health`` answers, stopped with its process
group (SIGTERM, then SIGKILL)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qa_command() -> str:
    return shutil.which("qa", path=str(Path(sys.executable).parent)) or str(ROOT / ".venv" / "bin" / "qa")


class LiveServer:
    """``with LiveServer(index_dir) as srv: srv.base`` -> ``http://127.0.0.1:<port>``."""

    def __init__(self, index_dir: Path, *, env: dict[str, str] | None = None, start_timeout: float = 120) -> None:
        self.index_dir = Path(index_dir)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.extra_env = env or {}
        self.start_timeout = start_timeout
        self.tmp = Path(tempfile.mkdtemp(prefix="qa-live-"))
        self.log = self.tmp / "serve.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> LiveServer:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "QA_DATA_DIR": str(self.tmp / "data"), **self.extra_env}
        with open(self.log, "wb") as fh:
            self.proc = subprocess.Popen([qa_command(), "serve", "--index", str(self.index_dir), "--host",
                                          "127.0.0.1", "--port", str(self.port)],
                                         stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                                         start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                with urllib.request.urlopen(self.base + "/api/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"qa serve did not come up:\n{self.log_tail()}")
            time.sleep(0.3)

    def log_tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)

    def __exit__(self, *exc: object) -> None:
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
