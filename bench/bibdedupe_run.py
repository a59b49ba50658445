"""Run bib-dedupe (installed in a venv of its own) on the records our bench reads.

``run_bib_dedupe(name, rows, python)`` writes the set's rows (the labelled set's own
BibTeX-like columns, as read from ../shared/data; nothing of ours is applied to
them) to a temporary CSV, runs bib-dedupe's documented pipeline
(``prep -> block -> match``) in that venv's Python, and returns its automatic
duplicate pairs, its "maybe" pairs and the seconds it took. Nothing of bib-dedupe
is imported here.

Install it once::

    python3.11 -m venv /tmp/bibdedupe-venv
    /tmp/bibdedupe-venv/bin/pip install bib-dedupe==0.11.0

Results are cached as JSON in ``var/bibdedupe-cache/`` keyed by set, bib-dedupe
version and a hash of the CSV, so a rerun only reads the files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / "var" / "bibdedupe-cache"
DEFAULT_PYTHON = Path("/tmp/bibdedupe-venv/bin/python")
COLUMNS = ("ID", "ENTRYTYPE", "title", "author", "year", "journal", "booktitle", "volume",
           "number", "pages", "doi", "abstract")  # fmt: skip

# Runs inside the bib-dedupe venv: argv = input CSV, output JSON.
_SCRIPT = r"""
import json, sys, time
import pandas as pd
import bib_dedupe
from bib_dedupe.bib_dedupe import prep, block, match
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
started = time.perf_counter()
records = prep(df)
pairs = block(records)
matched = match(pairs)
seconds = time.perf_counter() - started
out = {"duplicate": [], "maybe": [], "seconds": seconds,
       "version": getattr(bib_dedupe, "__version__", "")}
for row in matched[["ID_1", "ID_2", "duplicate_label"]].itertuples(index=False):
    out["duplicate" if row[2] == "duplicate" else "maybe"].append([str(row[0]), str(row[1])])
json.dump(out, open(sys.argv[2], "w"))
"""


def version(python: str) -> str:
    done = subprocess.run(
        [python, "-c", "import importlib.metadata as m; print(m.version('bib-dedupe'))"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip()


def run_bib_dedupe(name: str, rows: list[dict], python: str) -> dict:
    """{"duplicate": [[id, id]...], "maybe": [...], "seconds": float, "version": str}."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{name}.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, COLUMNS, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({c: _cell(row.get(c)) for c in COLUMNS})
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
        tool_version = version(python)
        cached = CACHE_DIR / f"{name}-{tool_version}-{digest}.json"
        if cached.exists():
            return json.loads(cached.read_text("utf-8"))
        target = Path(tmp) / "out.json"
        subprocess.run([python, "-c", _SCRIPT, str(source), str(target)], check=True,
                       capture_output=True, text=True)  # fmt: skip
        result = json.loads(target.read_text("utf-8"))
        result["version"] = tool_version
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(result), "utf-8")
        return result


def _cell(value) -> str:
    value = "" if value is None else str(value).strip()
    return "" if value.lower() in {"none", "nan", "null"} else value
