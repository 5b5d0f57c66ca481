"""The console of a demo with history, asked as its users would (by tests/demo/test_history.py,
in a process of its own on DATABASE_URL): answers written to PROBE_OUTPUT/answers.json."""

import datetime
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import sqlalchemy as sa  # noqa: E402

from app import create_app, jobs  # noqa: E402
from app.extensions import db  # noqa: E402
from app.periods import RECAPS_KIND  # noqa: E402

PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo-Kesos-2026!")
OUTPUT = Path(os.environ["PROBE_OUTPUT"])


def month(back: int) -> str:
    today = datetime.date.today()
    index = today.year * 12 + today.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def signed_in(app, username):
    client = app.test_client()
    html = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/login/", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
    return client


def kept(response, name: str) -> dict:
    path = OUTPUT / f"{name}.pdf"
    path.write_bytes(response.data)
    return {"status": response.status_code, "mimetype": response.mimetype, "file": str(path)}


def main() -> None:
    app = create_app({"TESTING": True, "SERVER_NAME": "localhost"})
    answers = {}
    with app.app_context():
        household_id = db.session.scalar(
            sa.text(
                "SELECT id FROM household WHERE status = 'ACTIVE' AND village_code LIKE "
                "'32.73.%' ORDER BY id DESC LIMIT 1"
            )
        )
        reprinted = db.session.scalar(sa.text("SELECT code FROM certificate WHERE reprints = 1"))
    operator = signed_in(app, "operator.bandung")
    answers["certificate"] = kept(
        operator.get(f"/reports/household/{household_id}/certificate.pdf"), "certificate"
    )
    page = app.test_client().get(f"/verify/{reprinted}")
    answers["verify"] = {
        "status": page.status_code,
        "code": reprinted,
        "text": page.get_data(as_text=True),
    }
    province = signed_in(app, "prov.jabar")
    url = f"/reports/region/32.73/recap.pdf?period={month(1)}"
    answers["recap_first"] = kept(province.get(url), "recap-first")
    answers["recap_second"] = kept(province.get(url), "recap-second")
    with app.app_context():
        while jobs.run_next(RECAPS_KIND) is not None:
            pass
        rows = db.session.execute(
            sa.text(
                "SELECT f.region_code, count(*) FROM report_file f JOIN period p ON "
                "p.id = f.period_id WHERE f.kind = 'region_recap' AND p.code = :period "
                "AND f.region_code IN ('32.73', '32.01') GROUP BY f.region_code"
            ),
            {"period": month(1)},
        ).all()
        answers["kept"] = {code: count for code, count in rows}
    open_url = f"/reports/region/32.73/recap.pdf?period={month(0)}"
    answers["recap_open"] = kept(province.get(open_url), "recap-open")
    (OUTPUT / "answers.json").write_text(json.dumps(answers))


if __name__ == "__main__":
    main()
