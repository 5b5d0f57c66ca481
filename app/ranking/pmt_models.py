"""PMT model versions: read from a file or a fit, checked, stored, activated; frozen once a
close has ranked with them (a closed period's ranking must stay reproducible)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext

from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.ranking.variables import NAMES
from models import PmtIntercept, PmtModel, PmtWeight

DEFAULT_MODEL_FILE = Path(__file__).with_name("default_model.json")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_PROVINCE = re.compile(r"^\d{2}$")


@dataclass(frozen=True)
class ModelSpec:
    """A model as data: what a file holds and what the close and the explanations read."""

    version: str
    weights: dict[str, float]
    intercepts: dict[str, float]  # province code → constant; "" for every other province
    description: str = ""
    source: str = ""
    fit_report: dict = field(default_factory=dict)

    def intercept_for(self, province_code: str) -> float:
        return self.intercepts.get(province_code, self.intercepts[""])


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(
            gettext("%(what)s is not a number: %(value)s", what=what, value=json.dumps(value))
        )
    return float(value)


def parse(data) -> ModelSpec:
    """A ModelSpec from a file's JSON (text or already decoded), refused whole on any fault."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as error:
            raise ValidationError(
                gettext("The model file is not valid JSON: %(error)s", error=error)
            ) from None
    if not isinstance(data, dict):
        raise ValidationError(gettext("The model file must hold one JSON object."))
    version = str(data.get("version") or "")
    if not _VERSION.match(version):
        raise ValidationError(
            gettext(
                "The model version must be 1 to 32 letters, digits, dots, dashes or underscores."
            )
        )
    weights = data.get("weights")
    if not isinstance(weights, dict):
        raise ValidationError(gettext("The model file has no weights."))
    missing = [name for name in NAMES if name not in weights]
    if missing:
        raise ValidationError(
            gettext("The model lacks variables: %(names)s", names=", ".join(missing))
        )
    unknown = sorted(set(weights) - set(NAMES))
    if unknown:
        raise ValidationError(
            gettext("The model names unknown variables: %(names)s", names=", ".join(unknown))
        )
    intercepts = data.get("intercepts")
    if isinstance(intercepts, int | float) and not isinstance(intercepts, bool):
        intercepts = {"": intercepts}
    if not isinstance(intercepts, dict) or "" not in intercepts:
        raise ValidationError(
            gettext('The model needs intercepts with a national one under "" (empty code).')
        )
    for code in intercepts:
        if code and not _PROVINCE.match(code):
            raise ValidationError(
                gettext("Intercepts are keyed by province codes: %(code)s is not one.", code=code)
            )
    return ModelSpec(
        version=version,
        weights={name: _number(weights[name], name) for name in NAMES},
        intercepts={code: _number(value, code or '""') for code, value in intercepts.items()},
        description=str(data.get("description") or ""),
        source=str(data.get("source") or ""),
        fit_report=data.get("fit_report") or {},
    )


def to_file(spec: ModelSpec) -> dict:
    return {
        "version": spec.version,
        "description": spec.description,
        "source": spec.source,
        "intercepts": spec.intercepts,
        "weights": spec.weights,
        **({"fit_report": spec.fit_report} if spec.fit_report else {}),
    }


def store(spec: ModelSpec) -> PmtModel:
    """Stores a new version (never replaces one: a version is immutable)."""
    if db.session.scalar(sa.select(PmtModel.id).where(PmtModel.version == spec.version)):
        raise Conflict(
            gettext(
                "Model version %(version)s already exists; a version never changes. "
                "Give the new one another name.",
                version=spec.version,
            )
        )
    model = PmtModel(
        version=spec.version,
        description=spec.description,
        source=spec.source or gettext("Not stated"),
        fit_report=json.dumps(spec.fit_report) if spec.fit_report else None,
        weights=[PmtWeight(variable=name, weight=w) for name, w in spec.weights.items()],
        intercepts=[
            PmtIntercept(province_code=code, intercept=value)
            for code, value in spec.intercepts.items()
        ],
    )
    db.session.add(model)
    db.session.flush()
    return model


def find(version: str) -> PmtModel:
    model = db.session.scalar(sa.select(PmtModel).where(PmtModel.version == version))
    if model is None:
        raise NotFound(gettext("No model version %(version)s.", version=version))
    return model


def activate(version: str) -> PmtModel:
    """Makes `version` the one the next close ranks with."""
    model = find(version)
    db.session.execute(sa.update(PmtModel).where(PmtModel.active).values(active=False))
    db.session.flush()
    model.active = True
    db.session.flush()
    return model


def active_model() -> PmtModel | None:
    return db.session.scalar(sa.select(PmtModel).where(PmtModel.active))


def active_model_id(connection) -> int | None:
    return connection.scalar(sa.select(PmtModel.id).where(PmtModel.active))


def spec_of(model_id: int, connection=None) -> ModelSpec:
    """A stored version as a ModelSpec (read on the close's own connection when given)."""
    run = (connection or db.session).execute
    weights = run(
        sa.select(PmtWeight.variable, PmtWeight.weight).where(PmtWeight.model_id == model_id)
    ).all()
    intercepts = run(
        sa.select(PmtIntercept.province_code, PmtIntercept.intercept).where(
            PmtIntercept.model_id == model_id
        )
    ).all()
    record = run(
        sa.select(PmtModel.version, PmtModel.description, PmtModel.source).where(
            PmtModel.id == model_id
        )
    ).one()
    return ModelSpec(
        version=record.version,
        weights={name: 0.0 for name in NAMES} | dict(weights),
        intercepts=dict(intercepts),
        description=record.description or "",
        source=record.source,
    )


def ensure_default() -> PmtModel:
    """The shipped default, stored and activated where no version exists yet (init, demo)."""
    existing = db.session.scalar(sa.select(PmtModel).order_by(PmtModel.id).limit(1))
    if existing is not None:
        return existing
    model = store(parse(DEFAULT_MODEL_FILE.read_text()))
    model.active = True
    db.session.flush()
    return model


def freeze(connection, model_id: int, period_id: int) -> None:
    """Marks a version used by the close of `period_id` (the first one only)."""
    connection.execute(
        sa.update(PmtModel)
        .where(PmtModel.id == model_id, PmtModel.first_used_period_id.is_(None))
        .values(first_used_period_id=period_id)
    )
