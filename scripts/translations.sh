#!/usr/bin/env bash
# Message catalogs of Datakesos: extract, update, compile, check.
#
#   scripts/translations.sh extract   our code -> translations/app.pot (babel.cfg),
#                                     Flask-AppBuilder + WTForms -> translations/fab.pot,
#                                     both merged -> translations/messages.pot
#   scripts/translations.sh update    merge messages.pot into translations/{id,en}/LC_MESSAGES/messages.po
#                                     (no fuzzy guesses; translations and obsolete #~ entries are kept)
#   scripts/translations.sh compile   .po -> .mo (the .mo files are not committed)
#   scripts/translations.sh check     exit 1 and print, ready to fill in, every `id` message that is
#                                     missing, untranslated, fuzzy or has mismatched placeholders
#   scripts/translations.sh refresh   extract + update + check
#
# After adding or changing a string in the code:
#   scripts/translations.sh refresh   # lists what needs an Indonesian translation
#   $EDITOR translations/id/LC_MESSAGES/messages.po
#   scripts/translations.sh check && scripts/translations.sh compile
#
# Do not use `flask fab babel-extract`: in Flask-AppBuilder 5 it does not wait for its update step.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TRANSLATIONS="$ROOT/translations"
LOCALES=(id en)

if [[ -x "$ROOT/.venv/bin/python" ]]; then
    PYTHON="$ROOT/.venv/bin/python"
else
    PYTHON="$(command -v python3 || command -v python)"
fi
if [[ -x "$ROOT/.venv/bin/pybabel" ]]; then
    PYBABEL="$ROOT/.venv/bin/pybabel"
else
    PYBABEL="$(command -v pybabel || true)"
    [[ -n "$PYBABEL" ]] || { echo "pybabel not found: install the requirements (Babel)" >&2; exit 2; }
fi

# Our own code, as babel.cfg maps it (keywords live there). Also used by tests/test_translations.py.
extract_app() {
    local output="$1"
    "$PYBABEL" -q extract -F babel.cfg --add-location=file --sort-by-file \
        --project=Datakesos -c TRANSLATORS: -o "$output" .
}

# Flask-AppBuilder's python and templates, the msgids of its shipped catalogs (some of its strings
# are translated at render time without a marker), and WTForms' validator messages.
extract_vendor() {
    local output="$1"
    "$PYTHON" - "$output" <<'PY'
import glob
import io
import os
import re
import sys

import flask_appbuilder
import wtforms
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import read_po, write_po

output = sys.argv[1]
catalog = Catalog(project="Flask-AppBuilder (for Datakesos)", charset="utf-8", fuzzy=False)
catalog.header_comment = (
    "# Strings of Flask-AppBuilder %s and WTForms %s, extracted by scripts/translations.sh.\n"
    "# Generated file: do not edit." % (flask_appbuilder.__version__, wtforms.__version__)
)

fab_dir = os.path.dirname(flask_appbuilder.__file__)
keywords = {**DEFAULT_KEYWORDS, **parse_keywords(["lazy_gettext", "__", "lazy_ngettext:1,2"])}
method_map = [
    ("templates/**.html", "jinja2"),
    ("**.py", "python"),
]
for filename, lineno, message, comments, context in extract_from_dir(
    fab_dir, method_map, keywords=keywords, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
):
    if not message or (isinstance(message, str) and not message.strip()):
        continue
    catalog.add(message, None, [("flask_appbuilder/" + filename.replace(os.sep, "/"), None)],
                auto_comments=comments, context=context)

for po_path in sorted(glob.glob(os.path.join(fab_dir, "translations", "*", "LC_MESSAGES", "messages.po"))):
    with open(po_path, "rb") as handle:
        # Some shipped catalogs carry dates Babel cannot parse; only their msgids matter here.
        lines = [line for line in handle if not re.match(rb'"(POT-Creation-Date|PO-Revision-Date):', line)]
    shipped = read_po(io.BytesIO(b"".join(lines)))
    for message in shipped:
        # Only strings of Flask-AppBuilder itself: the catalogs also hold its example apps' strings.
        if not any("flask_appbuilder/" in path for path, _ in message.locations):
            continue
        if message.id and message.id not in catalog and str(message.id).isascii():
            catalog.add(message.id, None, [("flask_appbuilder/translations", None)],
                        context=message.context)

wtforms_pot = os.path.join(os.path.dirname(wtforms.__file__), "locale", "wtforms.pot")
if os.path.exists(wtforms_pot):
    with open(wtforms_pot, "rb") as handle:
        for message in read_po(handle):
            if message.id:
                catalog.add(message.id, None, [("wtforms/" + os.path.basename(loc[0]), None)
                                               for loc in message.locations] or [("wtforms", None)],
                            context=message.context)

with open(output, "wb") as handle:
    write_po(handle, catalog, include_lineno=False, sort_by_file=True)
print(f"{output}: {len(catalog)} messages", file=sys.stderr)
PY
}

# messages.pot = app.pot + fab.pot (our entries first; shared msgids keep both locations).
merge_templates() {
    "$PYTHON" - "$TRANSLATIONS/messages.pot" "$TRANSLATIONS/app.pot" "$TRANSLATIONS/fab.pot" <<'PY'
import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

output, *inputs = sys.argv[1:]
merged = Catalog(project="Datakesos", charset="utf-8", fuzzy=False)
merged.header_comment = (
    "# Datakesos message template: our code (app.pot) and Flask-AppBuilder/WTForms (fab.pot).\n"
    "# Generated by `scripts/translations.sh extract`: do not edit."
)
for path in inputs:
    with open(path, "rb") as handle:
        for message in read_po(handle):
            if message.id:
                merged.add(message.id, None, message.locations, flags=message.flags - {"fuzzy"},
                           auto_comments=message.auto_comments, context=message.context)
with open(output, "wb") as handle:
    write_po(handle, merged, include_lineno=False)
print(f"{output}: {len(merged)} messages", file=sys.stderr)
PY
}

cmd_extract() {
    mkdir -p "$TRANSLATIONS"
    extract_app "$TRANSLATIONS/app.pot"
    echo "$TRANSLATIONS/app.pot: $(grep -c '^msgid ' "$TRANSLATIONS/app.pot") messages (incl. header)" >&2
    extract_vendor "$TRANSLATIONS/fab.pot"
    merge_templates
}

cmd_update() {
    [[ -f "$TRANSLATIONS/messages.pot" ]] || cmd_extract
    local locale po
    for locale in "${LOCALES[@]}"; do
        po="$TRANSLATIONS/$locale/LC_MESSAGES/messages.po"
        if [[ -f "$po" ]]; then
            cp "$po" "$po.before-update"
            "$PYBABEL" -q update -i "$TRANSLATIONS/messages.pot" -d "$TRANSLATIONS" -l "$locale" \
                --no-fuzzy-matching
        fi
        # New catalogs are created here (pybabel init would mark the header fuzzy, and a fuzzy
        # catalog is skipped by compile); translations that were obsolete (#~) and whose msgid is
        # back are restored.
        "$PYTHON" - "$TRANSLATIONS/messages.pot" "$po" "$locale" <<'PY'
import datetime
import os
import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

template_path, po_path, locale = sys.argv[1:]
with open(template_path, "rb") as handle:
    template = read_po(handle)
before = {}
if os.path.exists(po_path + ".before-update"):
    with open(po_path + ".before-update", "rb") as handle:
        old = read_po(handle, locale=locale)
    before = {m.id: m.string for m in list(old) + list(old.obsolete.values()) if m.id and m.string}
    os.remove(po_path + ".before-update")
if os.path.exists(po_path):
    with open(po_path, "rb") as handle:
        catalog = read_po(handle, locale=locale)
else:
    os.makedirs(os.path.dirname(po_path), exist_ok=True)
    catalog = Catalog(locale=locale, project="Datakesos", version="1", charset="utf-8", fuzzy=False,
                      copyright_holder="Datakesos", last_translator="Datakesos",
                      language_team="Datakesos")
    catalog.header_comment = (
        f"# {catalog.locale.english_name} messages of Datakesos, including Flask-AppBuilder's and\n"
        "# WTForms' strings. Edit msgstr only; msgids come from `scripts/translations.sh extract`."
    )
    catalog.update(template, no_fuzzy_matching=True)
catalog.fuzzy = False
catalog.revision_date = datetime.datetime.now(datetime.timezone.utc)
restored = 0
for message in catalog:
    if message.id and not message.string and message.id in before:
        message.string = before[message.id]
        restored += 1
for key, message in list(catalog.obsolete.items()):
    if catalog.get(message.id, context=message.context) is not None:
        del catalog.obsolete[key]  # back in use: keep one entry, not a live one and a #~ one
with open(po_path, "wb") as handle:
    write_po(handle, catalog, include_lineno=False, include_previous=False)
missing = sum(1 for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string))))
print(f"{po_path}: {len(catalog)} messages, {missing} without translation"
      + (f", {restored} restored from obsolete" if restored else ""), file=sys.stderr)
PY
    done
}

cmd_compile() {
    # Every catalog under translations/ (id, en); works on a fresh clone where only .po files exist.
    "$PYBABEL" -q compile -d "$TRANSLATIONS" -D messages
}

cmd_check() {
    local fresh
    fresh="$(mktemp --suffix=.pot)"
    trap 'rm -f "$fresh"' RETURN
    extract_app "$fresh"
    "$PYTHON" - "$TRANSLATIONS/id/LC_MESSAGES/messages.po" "$TRANSLATIONS/messages.pot" "$fresh" <<'PY'
import re
import sys

from babel.messages.pofile import read_po

po_path, *templates = sys.argv[1:]
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def as_tuple(value):
    return value if isinstance(value, tuple) else (value,)


def placeholders(text):
    return sorted(set(PLACEHOLDER.findall(text or "")))


with open(po_path, "rb") as handle:
    catalog = read_po(handle, locale="id")
wanted = {}
for path in templates:
    with open(path, "rb") as handle:
        for message in read_po(handle):
            if message.id:
                wanted.setdefault(message.id, message)

problems = []  # (reason, message)
for msgid, message in wanted.items():
    if catalog.get(msgid, context=message.context) is None:
        problems.append(("missing from the catalog: run `scripts/translations.sh update`", message))
for message in catalog:
    if not message.id:
        continue
    strings = as_tuple(message.string)
    if message.fuzzy:
        problems.append(("fuzzy", message))
    elif not all(strings):
        problems.append(("untranslated", message))
    else:
        expected = placeholders(" ".join(as_tuple(message.id)))
        for text in strings:
            if placeholders(text) != expected:
                problems.append((f"placeholders differ: msgid {expected}, msgstr {placeholders(text)}",
                                 message))
                break
if catalog.fuzzy:
    print(f"{po_path}: the header is marked fuzzy, compile would skip the whole catalog")

if not problems and not catalog.fuzzy:
    print(f"{po_path}: all {sum(1 for m in catalog if m.id)} messages translated")
    sys.exit(0)


def quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


print(f"# {len(problems)} Indonesian message(s) to fix in {po_path}:\n")
for reason, message in problems:
    print(f"# {reason}")
    locations = " ".join(path for path, _ in message.locations)
    if locations:
        print(f"#: {locations}")
    if message.context:
        print(f"msgctxt {quote(message.context)}")
    if isinstance(message.id, tuple):
        print(f"msgid {quote(message.id[0])}")
        print(f"msgid_plural {quote(message.id[1])}")
        print('msgstr[0] ""')
    else:
        print(f"msgid {quote(message.id)}")
        print('msgstr ""')
    print()
sys.exit(1)
PY
}

case "${1:-}" in
    extract) cmd_extract ;;
    extract-app) extract_app "${2:?usage: $0 extract-app OUTPUT.pot}" ;;
    update) cmd_update ;;
    compile) cmd_compile ;;
    check) cmd_check ;;
    refresh) cmd_extract && cmd_update && cmd_check ;;
    *)
        echo "usage: $0 {extract|update|compile|check|refresh}" >&2
        exit 2
        ;;
esac
