"""importrecords and duplicates from the shell."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from screening.models import Record
from tests.imports_dedupe.fixtures import MEDLINE_DUPLICATE, RIS_THREE


def test_importrecords_prints_one_json_summary(world, tmp_path, capsys):
    ris = tmp_path / "embase.ris"
    ris.write_bytes(RIS_THREE)
    nbib = tmp_path / "pubmed.nbib"
    nbib.write_bytes(MEDLINE_DUPLICATE)
    call_command("importrecords", str(world.review.pk), str(ris), str(nbib), "--source", "Mixed")
    summary = json.loads(capsys.readouterr().out)
    assert (summary["imported"], summary["rejected"], summary["duplicates"]) == (5, [], 1)
    assert Record.objects.count() == 5

    out = io.StringIO()
    call_command("duplicates", str(world.review.pk), "--csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {(r["record_key"], r["status"]) for r in rows} == {
        ("r1", "merged"),
        ("19453963", "merged"),
    }
    assert len({r["group"] for r in rows}) == 1


def test_importrecords_reports_rejections_and_refusals(world, tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"just some prose, not an export at all\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("importrecords", str(world.review.pk), str(bad), "--source", "X")
    summary = json.loads(capsys.readouterr().out)
    assert summary["imported"] == 0 and summary["errors"][0]["file"] == "bad.txt"
    assert not Record.objects.exists()
