"""The citation fields and the screening-settings fields are written out once
(screening/models); every serializer, form, export and comparison takes them from there."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from screening.models import CITATION_FIELDS, SETTINGS_FIELDS

ROOT = Path(__file__).resolve().parents[2]
HOMES = {
    CITATION_FIELDS: "screening/models/imports.py",
    SETTINGS_FIELDS: "screening/models/decisions.py",
}
# Written out in modules being rewritten in parallel (issue 11); switch them, then remove.


def _app_sources():
    for folder in ("reviewapp", "screening", "extraction"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), path


def _written_out(tree: ast.AST, fields: tuple[str, ...]):
    """Line numbers of literals (or call arguments, as in `values_list(...)`) holding
    most of `fields` as strings."""
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            items = node.elts
        elif isinstance(node, ast.Call):
            items = node.args
        else:
            continue
        strings = {
            e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)
        }
        if len(strings & set(fields)) >= len(fields) - 2:
            yield node.lineno


@pytest.mark.parametrize("fields", list(HOMES), ids=["citation", "settings"])
def test_each_field_list_is_written_once(fields):
    found = []
    for name, path in _app_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{name}:{line}" for line in _written_out(tree, fields)]
    homes = [f for f in found if f.startswith(HOMES[fields] + ":")]
    elsewhere = [f for f in found if f.split(":")[0] not in {HOMES[fields]}]
    assert len(homes) == 1, found
    assert elsewhere == [], f"import the constant from screening.models instead: {elsewhere}"


def test_the_lists_reach_their_users():
    from screening.api.dedupe import BriefRecordSerializer
    from screening.exports.tables import BIB_HEADER
    from screening.forms.screening import ScreeningSettingsForm
    from screening.selectors.dedupe import COMPARED_FIELDS

    assert BIB_HEADER[2:-2] == list(CITATION_FIELDS)
    assert COMPARED_FIELDS[: len(CITATION_FIELDS)] == list(CITATION_FIELDS)
    assert set(CITATION_FIELDS) <= set(BriefRecordSerializer.Meta.fields)
    assert list(ScreeningSettingsForm().fields) == list(SETTINGS_FIELDS)
