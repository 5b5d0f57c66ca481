"""HTTP throughput under gunicorn on loopback: the operator's list page beside the login page."""

from __future__ import annotations

import os
import subprocess
import time

from bench_common import LIST_URL, OPERATOR, ROOT, Bench, Figure, csrf_token

HTTP_SECONDS = 15
HTTP_MAX_REQUESTS = 4000
HTTP_CLIENTS = 4


def http_list_page(bench: Bench) -> list[Figure]:
    """Requests per second on the operator's list page under gunicorn (2 sync workers), from
    HTTP_CLIENTS keep-alive clients on loopback, for at most HTTP_SECONDS or HTTP_MAX_REQUESTS.
    Baseline: the same server and clients, not signed in, on the login page (no database
    work): what the stack itself serves."""
    import socket
    import threading

    import requests

    from app.demo import demo_password

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "RATELIMIT_ENABLED": "0"}  # main() set DATABASE_URL
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "run:app",
        ],
        cwd=ROOT,
        env=environment,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                requests.get(base + "/login/", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.5)

        def session():
            http = requests.Session()
            token = csrf_token(http.get(base + "/login/").text)
            response = http.post(
                base + "/login/",
                data={"username": OPERATOR, "password": demo_password(), "csrf_token": token},
                allow_redirects=False,
            )
            if response.status_code != 302:
                raise SystemExit(f"gunicorn sign-in failed: {response.status_code}")
            return http

        def load(path: str, signed_in: bool = True) -> dict:
            sessions = [session() if signed_in else requests.Session() for _ in range(HTTP_CLIENTS)]
            for http in sessions:  # warm both workers
                http.get(base + path)
            counts = {"ok": 0, "errors": 0}
            lock = threading.Lock()
            deadline = time.perf_counter() + HTTP_SECONDS

            def client(http):
                while time.perf_counter() < deadline:
                    with lock:
                        if counts["ok"] + counts["errors"] >= HTTP_MAX_REQUESTS:
                            return
                    try:
                        ok = http.get(base + path, timeout=30).status_code == 200
                    except requests.RequestException:
                        ok = False
                    with lock:
                        counts["ok" if ok else "errors"] += 1

            started = time.perf_counter()
            threads = [threading.Thread(target=client, args=(http,)) for http in sessions]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            return {
                **counts,
                "seconds": round(elapsed, 2),
                "per_second": round(counts["ok"] / elapsed, 1),
            }

        listed = load(LIST_URL)
        login_page = load("/login/", signed_in=False)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return [
        Figure(
            "http_list_page",
            listed["per_second"],
            login_page["per_second"],
            unit="req/s",
            description=f"{LIST_URL} under gunicorn, 2 sync workers, {HTTP_CLIENTS} keep-alive "
            "clients on loopback vs. the login page signed out",
            details={"list": listed, "login_page": login_page, "errors": listed["errors"]},
            goals=[("value", ">=", 100), ("errors", "<=", 0)],
        )
    ]
