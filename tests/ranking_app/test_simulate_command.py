"""`manage.py simulate` on a small labelled CSV written here."""

import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.ranking_app.builders import IRRELEVANT, RELEVANT


def _write_csv(path):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "decision"])
        for title in RELEVANT:
            writer.writerow([title, title.lower(), "yes"])
        for title in IRRELEVANT:
            writer.writerow([title, title.lower(), "no"])
    return path


def test_it_prints_the_metrics_and_writes_both_figures(tmp_path, capsys):
    labelled = _write_csv(tmp_path / "small.csv")
    png, svg = tmp_path / "curve.png", tmp_path / "curve.svg"

    call_command(
        "simulate",
        str(labelled),
        "--labels",
        "decision",
        "--seed",
        "3",
        "--png",
        str(png),
        "--svg",
        str(svg),
    )

    out = capsys.readouterr().out
    assert "small: 20 records, 8 relevant" in out
    for figure in ("WSS@95", "recall after 10% screened", "ATD", "recall 95% after"):
        assert figure in out
    assert png.read_bytes().startswith(b"\x89PNG") and b"<svg" in svg.read_bytes()


def test_it_names_a_missing_label_column(tmp_path):
    labelled = _write_csv(tmp_path / "small.csv")

    with pytest.raises(CommandError, match="no column 'label_included'"):
        call_command("simulate", str(labelled), "--labels", "label_included")


def test_cold_start_reads_the_query_s_records_first(tmp_path, capsys):
    labelled = _write_csv(tmp_path / "small.csv")

    call_command(
        "simulate", str(labelled), "--labels", "decision", "--cold-start", "naltrexone pain"
    )

    out = capsys.readouterr().out
    assert "query 'naltrexone pain'" in out
    first = next(line for line in out.splitlines() if line.startswith("records until the first"))
    assert first.split()[-3] == "1" and first.split()[-1] == "given"
    recall = next(line for line in out.splitlines() if line.startswith("recall after 10%"))
    assert float(recall.split()[-3]) > 0  # 2 of 20 records read, both relevant
