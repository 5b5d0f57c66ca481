"""The household forms (add, edit, save) beside a default ModelView's and the raw UPDATE."""

from __future__ import annotations

import statistics
import time

from bench_common import (
    OPERATOR,
    REPEAT,
    Bench,
    Figure,
    get_ok,
    median_seconds,
    sample_household,
    signed_in_client,
)


class _FormValues:
    """What a browser sends back for the page's main form (the POST form with the most
    fields): inputs, checked boxes, selected options."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        forms: list[dict[str, list[str]]] = []
        state = {"select": None, "form": None}

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if tag == "form" and "post" in (attrs.get("method") or "").lower():
                    state["form"] = {}
                    forms.append(state["form"])
                values = state["form"]
                if values is None:
                    return
                name = attrs.get("name")
                if tag == "input" and name:
                    kind = (attrs.get("type") or "text").lower()
                    if kind in ("checkbox", "radio") and "checked" not in attrs:
                        values.setdefault(name, [])
                        return
                    if kind in ("submit", "button"):
                        return
                    values.setdefault(name, []).append(
                        attrs.get("value") or ("y" if kind == "checkbox" else "")
                    )
                elif tag == "select" and name:
                    state["select"] = name
                    values.setdefault(name, [])
                elif tag == "option" and state["select"] and "selected" in attrs:
                    values[state["select"]].append(attrs.get("value") or "")
                elif tag == "textarea" and name:
                    values.setdefault(name, []).append("")

            def handle_endtag(self, tag):
                if tag == "select":
                    state["select"] = None
                if tag == "form":
                    state["form"] = None

        Parser().feed(html)
        self.values = max(forms, key=len) if forms else {}

    def data(self, **changes) -> dict:
        data = {
            name: (found[0] if len(found) == 1 else found)
            for name, found in self.values.items()
            if found
        }
        data.update(changes)
        return data


def household_form(bench: Bench) -> list[Figure]:
    """The household add and edit forms vs. the same forms from a default ModelView, whose
    village select lists every region; and saving an edit (validation, optimistic lock, audit
    entry) vs. the raw UPDATE and audit INSERT."""
    import sqlalchemy as sa

    from app.extensions import db

    household_id, _nik = sample_household()
    client = signed_in_client(bench.app, OPERATOR)
    admin = signed_in_client(bench.app, "admin")
    edit = median_seconds(get_ok(client, f"/households/edit/{household_id}"))
    add = median_seconds(get_ok(admin, "/households/add"))  # operators propose instead
    naive_edit = median_seconds(
        get_ok(admin, f"/bench-naive/households/edit/{household_id}"), repeat=3, warm_up=1
    )
    naive_add = median_seconds(get_ok(admin, "/bench-naive/households/add"), repeat=3, warm_up=1)

    url = f"/households/edit/{household_id}"
    saves = []
    for attempt in range(REPEAT + 1):
        form = _FormValues(client.get(url).get_data(as_text=True))
        data = form.data(address=f"Jl. Bench No. {attempt + 1}")
        started = time.perf_counter()
        response = client.post(url, data=data)
        seconds = time.perf_counter() - started
        if response.status_code != 302:
            raise SystemExit(
                f"POST {url}: {response.status_code} {response.get_data(as_text=True)[:300]}"
            )
        if attempt:
            saves.append(seconds)
    audited = db.session.scalar(
        sa.text(
            "SELECT count(*) FROM audit_entry WHERE entity = 'household' AND entity_id = :id "
            "AND action = 'update'"
        ),
        {"id": str(household_id)},
    )
    raw_save = _raw_save_seconds(household_id)
    return [
        Figure(
            "household_form.edit",
            round(edit, 4),
            round(naive_edit, 4),
            description="GET the edit form vs. a default ModelView's (goal: 20× faster)",
            goals=[("ratio", "<=", 0.05)],
        ),
        Figure(
            "household_form.add",
            round(add, 4),
            round(naive_add, 4),
            description="GET the add form (admin) vs. a default ModelView's (goal: 20× faster)",
            goals=[("ratio", "<=", 0.05)],
        ),
        Figure(
            "household_form.save",
            round(statistics.median(saves), 4),
            round(raw_save, 4),
            description="POST an edit (checks, version, audit) vs. raw UPDATE + audit INSERT",
            details={"audit_entries": audited},
            goals=[("value", "<=", 0.050)],
        ),
    ]


def _raw_save_seconds(household_id: int) -> float:
    from app.extensions import db

    connection = db.engine.raw_connection()
    counter = iter(range(10**6))

    def action():
        cursor = connection.cursor()
        cursor.execute(
            "UPDATE household SET address = %(address)s, updated_at = now(), "
            "version = version + 1 WHERE id = %(id)s RETURNING version",
            {"id": household_id, "address": f"Jl. Raw No. {next(counter)}"},
        )
        cursor.execute(
            "INSERT INTO audit_entry (at, user_id, username, ip_address, action, entity, "
            "entity_id, region_code, before, after) SELECT now(), NULL, 'bench', '127.0.0.1', "
            "'update', 'household', %(entity)s, village_code, '{\"address\": \"a\"}', "
            '\'{"address": "b"}\' '
            "FROM household WHERE id = %(id)s",
            {"id": household_id, "entity": str(household_id)},
        )
        connection.commit()

    try:
        return median_seconds(action)
    finally:
        connection.close()
