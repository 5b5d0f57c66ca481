"""What validating an import file produces: the plan of households and members to write, the
problems found (`Plan.error`: the file is refused) and the warnings (`Plan.warning`: it is not),
with who imports (`Importer`). Read by app.imports.validation, app.imports.against_register,
app.imports.duplicates and app.imports.writing."""

from __future__ import annotations

from dataclasses import dataclass, field

#: At most this many problems, and as many warnings, are kept for the report (the counts say
#: how many there were).
MAX_ERRORS = 10_000


@dataclass
class Importer:
    """Who imports: the audit's actor, the region scope, and whether new households enter the
    register directly (Admin, the system) or as draft proposals (Operator)."""

    user_id: int | None
    username: str
    scope: str
    direct: bool
    ip_address: str | None = None


@dataclass
class HouseholdRow:
    register_id: str
    row: int
    values: dict
    raw: tuple
    existing: dict | None = None
    heads: list = field(default_factory=list)


@dataclass
class MemberRow:
    row: int
    nik: str
    kk_number: str
    register_id: str
    values: dict
    existing: dict | None = None


@dataclass
class Plan:
    households: dict[str, HouseholdRow] = field(default_factory=dict)
    members: list[MemberRow] = field(default_factory=list)
    #: KK number → register id of its household in the file, and the KK's first row.
    families: dict[str, str] = field(default_factory=dict)
    family_rows: dict[str, int] = field(default_factory=dict)
    existing_families: dict[str, dict] = field(default_factory=dict)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    error_count: int = 0
    warnings: list[tuple[int, str, str]] = field(default_factory=list)
    warning_count: int = 0
    rows: int = 0
    #: Rows with an error of their own: later checks (app.imports.duplicates) leave them out.
    rows_in_error: set[int] = field(default_factory=set)

    def error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        self.rows_in_error.add(row)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((row, column, str(message)))

    def warning(self, row: int, column: str, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_ERRORS:
            self.warnings.append((row, column, str(message)))
