"""Real exports through the whole import path (services, database, deduplication)."""

import csv
import io
import itertools
import json

import pytest
from django.core.management import call_command

from tests.shared_data import SHARED_DATA, requires_shared_data


def _pairs(groups):
    return {tuple(sorted(p)) for g in groups for p in itertools.combinations(sorted(g), 2)}


@pytest.mark.realdata
@requires_shared_data
@pytest.mark.parametrize("name", ["respiratory", "haematology", "cytology_screening"])
def test_a_labelled_set_is_imported_and_deduplicated(world, capsys, name):
    path = SHARED_DATA / "dedupe" / name / "records.csv"
    call_command("importrecords", str(world.review.pk), str(path), "--source", "Benchmark")
    summary = json.loads(capsys.readouterr().out)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.DictReader(handle))
    # A few benchmark rows have no title at all: rejected, with their line, never lost silently.
    assert summary["imported"] + len(summary["rejected"]) == rows

    out = io.StringIO()
    call_command("duplicates", str(world.review.pk), "--csv", stdout=out)
    groups: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(out.getvalue())):
        if row["status"] == "merged":
            groups.setdefault(row["group"], set()).add(row["record_key"])
    with open(SHARED_DATA / "dedupe" / name / "clusters.csv", newline="") as handle:
        truth = [set(row["merged_ids"].split(";")) for row in csv.DictReader(handle)]
    found, expected = _pairs(groups.values()), _pairs(truth)
    precision = len(found & expected) / len(found)
    recall = len(found & expected) / len(expected)
    assert precision >= 0.999, f"precision {precision:.4f}"
    # bib-dedupe's pairwise recall on these sets: 0.9253, 0.8282, 0.9846. Haematology's
    # truth joins some errata to their article (and not others) and the same abstract
    # given at two meetings; those pairs are never merged automatically (issue 12).
    assert (
        recall >= {"respiratory": 0.93, "haematology": 0.82, "cytology_screening": 0.985}[name]
    ), f"recall {recall:.4f}"


@pytest.mark.realdata
@requires_shared_data
def test_the_respiratory_endnote_export_imports_whole(world, capsys):
    path = SHARED_DATA / "dedupe" / "respiratory" / "records_endnote.xml"
    call_command("importrecords", str(world.review.pk), str(path), "--source", "EndNote")
    summary = json.loads(capsys.readouterr().out)
    assert (summary["imported"], summary["rejected"]) == (1988, [])
    assert summary["duplicates"] > 400


@pytest.mark.realdata
@requires_shared_data
@pytest.mark.parametrize(
    "name",
    [
        "citesource_ris/WoS_79.ris",
        "reflib_bluelight/blue-light.nbib",
        "scientopy_wos_tab/wos_3054.txt",
        "asysd_testthat/zotero_export.bib",
        "metaknowledge_tests/badFile.isi",
        "asreview_demo_data/ovid_psycinfo.ris",
        "synthesisr_testdata/Ovid_ris_example.ris",
    ],
)
def test_manifest_counts_hold_through_the_database(world, capsys, name):
    with open(SHARED_DATA / "formats" / "MANIFEST.tsv", newline="") as handle:
        manifest = {row["path"]: row for row in csv.DictReader(handle, delimiter="\t")}
    expected = manifest[name]["records"]
    from django.core.management import CommandError

    from screening.models import Record

    try:
        call_command(
            "importrecords",
            str(world.review.pk),
            str(SHARED_DATA / "formats" / name),
            "--source",
            "X",
        )
    except CommandError:
        assert expected == ""  # a malformed file: refused whole
        assert not Record.objects.exists()
        return
    summary = json.loads(capsys.readouterr().out)
    assert summary["imported"] + len(summary["rejected"]) == int(expected)
    assert Record.objects.count() == summary["imported"]
