"""`flask datakesos pmt …`: a model file or a survey that is wrong is refused in Indonesian and
stores nothing; a fit on a survey recovers the weights it was drawn from, reports its fit, and
stores an immutable version that can be activated."""

import csv
import io
import json
import math
import random

import pytest
import sqlalchemy as sa


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["datakesos", "pmt", *args])


def _versions(app) -> list[str]:
    from app.extensions import db
    from models import PmtModel

    with app.app_context():
        return list(db.session.scalars(sa.select(PmtModel.version).order_by(PmtModel.id)))


@pytest.fixture
def default_file(app, tmp_path):
    from app.ranking import pmt_models

    return json.loads(pmt_models.DEFAULT_MODEL_FILE.read_text())


@pytest.fixture
def clean_models(app):
    """Leaves only the shipped default, active, as the rest of the suite expects."""
    before = _versions(app)
    yield
    from app.extensions import db
    from app.ranking import pmt_models
    from models import PmtModel

    with app.app_context():
        for model in db.session.scalars(sa.select(PmtModel).where(PmtModel.version.not_in(before))):
            db.session.delete(model)
        db.session.flush()
        pmt_models.activate("pmt-2026-default")
        db.session.commit()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda data: data["weights"].pop("floor_poor"), "Model tidak memuat variabel: floor_poor"),
        (lambda data: data["weights"].update(floor_poor="rendah"), "floor_poor bukan angka"),
        (lambda data: data["weights"].update(kursi=1.0), "variabel yang tidak dikenal: kursi"),
        (lambda data: data.update(intercepts={"32": 13.0}), "konstanta nasional"),
        (lambda data: data.update(version="versi baru!"), "Versi model harus"),
    ],
)
def test_a_wrong_model_file_is_refused_and_stores_nothing(
    app, tmp_path, default_file, clean_models, change, message
):
    data = dict(default_file, version="pmt-salah", weights=dict(default_file["weights"]))
    change(data)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data))
    before = _versions(app)
    result = _run(app, "load", str(path))
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output
    assert _versions(app) == before


def test_a_version_never_changes(app, tmp_path, default_file, clean_models):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(default_file))
    result = _run(app, "load", str(path))
    assert result.exit_code == 1 and "sudah ada" in result.output, result.output


def _survey(rows: int, weights: dict[str, float], seed=7, header_drop=()) -> str:
    """A survey drawn from known weights: binary variables 0/1, counts 0–6, noise σ 0.1."""
    from app.ranking.variables import NAMES

    rng = random.Random(seed)
    out = io.StringIO()
    columns = ["province_code", "consumption_per_capita", *NAMES]
    writer = csv.writer(out)
    writer.writerow([c for c in columns if c not in header_drop])
    for _ in range(rows):
        province = rng.choice(["32", "33", "35"])
        values = {
            name: rng.choice([0, 1]) if rng.random() < 0.7 else rng.randint(0, 6) for name in NAMES
        }
        log_c = 13.0 + {"32": 0.0, "33": -0.1, "35": 0.05}[province]
        log_c += sum(weights[name] * values[name] for name in NAMES) + rng.gauss(0, 0.1)
        record = {"province_code": province, "consumption_per_capita": round(math.exp(log_c))}
        record |= values
        writer.writerow([record[c] for c in columns if c not in header_drop])
    return out.getvalue()


def test_a_survey_without_consumption_or_with_text_is_refused(
    app, tmp_path, default_file, clean_models
):
    before = _versions(app)
    path = tmp_path / "survey.csv"
    path.write_text(_survey(60, default_file["weights"], header_drop=("consumption_per_capita",)))
    result = _run(app, "fit", str(path), "--version", "pmt-survei")
    assert result.exit_code == 1 and "consumption_per_capita" in result.output, result.output
    assert "konsumsi" in result.output

    lines = _survey(60, default_file["weights"]).splitlines()
    lines[3] = lines[3].replace(",", ",tinggi,", 1)
    path.write_text("\n".join(lines))
    result = _run(app, "fit", str(path), "--version", "pmt-survei")
    assert result.exit_code == 1 and "Baris 4" in result.output and "bukan angka" in result.output

    path.write_text(_survey(20, default_file["weights"]))
    result = _run(app, "fit", str(path), "--version", "pmt-survei")
    assert result.exit_code == 1 and "paling sedikit 50" in result.output, result.output
    assert _versions(app) == before


def test_a_fit_recovers_the_weights_reports_its_fit_and_can_be_activated(
    app, tmp_path, default_file, clean_models
):
    from app.extensions import db
    from app.ranking import pmt_models

    truth = default_file["weights"]
    path = tmp_path / "survey.csv"
    path.write_text(_survey(1500, truth))
    result = _run(app, "fit", str(path), "--version", "pmt-survei-2026", "--activate")
    assert result.exit_code == 0, result.output
    assert "1500 rumah tangga" in result.output.replace(".", "") and "R²" in result.output
    assert "aktif" in result.output
    with app.app_context():
        model = pmt_models.active_model()
        assert model.version == "pmt-survei-2026"
        report = json.loads(model.fit_report)
        assert report["r_squared"] > 0.5 and report["households"] == 1500
        spec = pmt_models.spec_of(model.id)
        assert all(abs(spec.weights[name] - truth[name]) < 0.03 for name in truth), spec.weights
        assert abs(spec.intercepts["33"] - spec.intercepts["32"] + 0.1) < 0.05
        db.session.rollback()

    shown = _run(app, "show", "pmt-survei-2026")
    assert shown.exit_code == 0 and json.loads(shown.output)["fit_report"]["households"] == 1500
    listed = _run(app, "list")
    assert "pmt-survei-2026\taktif" in listed.output, listed.output
    again = _run(app, "fit", str(path), "--version", "pmt-survei-2026")
    assert again.exit_code == 1 and "sudah ada" in again.output
