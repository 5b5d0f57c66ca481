"""`make run`'s server (scripts/serve.sh) and `make reset-demo`: the URL is printed only once the
server answers, Ctrl-C stops the web server and the scheduler and ends without an error, and
the demo database can be deleted to start afresh."""

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.fixtures.periods import wait_for_line

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def instance(tmp_path):
    """An embedded database of its own, initialised (no scheduler may touch the tests' one)."""
    environment = {
        **os.environ,
        "FLASK_APP": "run.py",
        "DATAKESOS_INSTANCE": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    for name in ("DATABASE_URL", "TEST_DATABASE_URL"):
        environment.pop(name, None)
    subprocess.run(
        [sys.executable, "-m", "flask", "datakesos", "init"],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return tmp_path, environment


def test_the_url_is_printed_once_the_server_answers_and_ctrl_c_stops_cleanly(instance):
    _path, environment = instance
    port = _free_port()
    server = subprocess.Popen(
        ["scripts/serve.sh"],
        cwd=ROOT,
        env={**environment, "PORT": str(port), "WORKERS": "1", "STOP_SECONDS": "90"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        line = wait_for_line(server.stdout, "answers on", timeout=120)
        assert f"http://127.0.0.1:{port}/" in line
        # Printed only now: the page answers at once.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
            assert response.status == 200 and b"csrf_token" in response.read()
        # What Ctrl-C sends to the terminal's group, while a request is still being answered.
        pending = urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5)
        os.killpg(server.pid, signal.SIGINT)
        assert b"csrf_token" in pending.read()
        output, _ = server.communicate(timeout=180)
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    assert server.returncode == 0, output
    assert "Stopped." in output
    assert "Traceback" not in output and "Error" not in output, output


def test_reset_demo_deletes_the_embedded_database_only(instance):
    path, environment = instance
    database = path / "datakesos.db"
    assert database.exists()
    result = subprocess.run(
        ["make", "--no-print-directory", "reset-demo"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not database.exists()
    refused = subprocess.run(
        ["make", "--no-print-directory", "reset-demo"],
        cwd=ROOT,
        env={**environment, "DATABASE_URL": "postgresql://somebody@elsewhere/register"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "DATABASE_URL" in refused.stdout
