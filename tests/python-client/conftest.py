"""Starts the real `clientele` binary on a temporary SQLite data directory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADMIN_EMAIL = "integrator@example.com"
ADMIN_USERNAME = "integrator"  # the part of the e-mail address before the @
ADMIN_PASSWORD = "Integrator-Proof-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    binary = Path(os.environ.get("CLIENTELE_BIN", ROOT / "target" / "debug" / "clientele"))
    if not binary.exists():
        pytest.fail(f"{binary} does not exist: build it with `cargo build -p clientele`")
    data_dir = tempfile.mkdtemp(prefix="clientele-pyclient-")
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("CLIENTELE_")
    } | {
        "CLIENTELE_DATA_DIR": data_dir,
        "CLIENTELE_BIND": f"127.0.0.1:{port}",
        "CLIENTELE_ADMIN_EMAIL": ADMIN_EMAIL,
        "CLIENTELE_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CLIENTELE_LOG": "warn",
    }
    log = open(Path(data_dir) / "server.log", "w")
    proc = subprocess.Popen([str(binary), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/readyz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                sys.stderr.write((Path(data_dir) / "server.log").read_text())
                pytest.fail("the server did not become ready")
            time.sleep(0.1)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
