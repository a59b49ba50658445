"""The BibTeX fast path reads each plain entry exactly as bibtexparser does (the reference
here), leaves every other shape to bibtexparser, and keeps file order, lines, macros,
duplicate keys and bibtexparser's messages when the two alternate in one file."""

from __future__ import annotations

import bibtexparser
import pytest
from bibtexparser.model import Entry

from screening.importers import bibtex
from screening.importers.bibtex_fast import simple_entry
from screening.importers.records import ParsedRecord, Rejection

# Plain entries: the fast path must read every one of these.
PLAIN = [
    "@article{k, title={A {B} c}, year=2020}\n",
    '@Article{K ,\n  Title = "Quoted {with} braces",\n  year = {2020},\n}\n',
    "@article{k, title={x \\{ y}, note={a\\}b}}\n",
    "@article{k, title = {a} # {b}}\n",
    "@article{k, month = jan}\n",
    "@article{k, Title={T}, title={U}}\n",
    "@article{k, title={x}} a comment after the entry\n",
    "@article{k, title={x}, }\n",
    "@article{k, title = {x} junk, year={1}}\n",
    '@article{k, title={\\"o\\"u}, author={M{\\"u}ller, J. and Doe, A.}}\n',
    "@article{k,\n title = {Multi\n line},\n}\n",
    '@article{k, title = "}", year={1}}\n',
    '@article{k, title = {a "b" c}}\n',
    "@article{k, title= {a}b}\n",
    "  @article {k, title={x}}\n",
    '@article{k, title={}, note=""}\n',
    "@article{k, title={x},\n  year = 2020\n}\n",
    '@article{k, title={a=b}, note="a=b,c"}\n',
    "@artículo{clé, title={x}}\n",
    "@article{k, title = {x}} }\n",
    '@article{, title="a {b} c"}\n',
]

# Shapes left to bibtexparser (what it makes of them is its own business).
NOT_PLAIN = [
    "@article{k, title={T}, title={U}}\n",  # a field twice
    '@article{k, title="a {"} b"}\n',  # the {"} escape in quotes
    "@article{k, title={x}, junk}\n",  # a name without a value
    "@article(k, title={x})\n",  # (-delimited
    "@article{k, email={a@b.c}}\n",  # an @ after the start
    "@article{k, title={unclosed\n",
    "@article{k}\n",
    "@article{k title={x}}\n",
    "@comment{x}\n",
    "@string{jan = {January}}\n",
    "@preamble{{x}}\n",
    "@article{k, title={x\\}}\n",
    "@article{k, title={a\\\\}, note={b}}\n",  # a backslash escapes the brace after it
]


def _reference(text: str, strings: str = "") -> tuple[str, str, list[tuple[str, str]]]:
    library = bibtexparser.parse_string(strings + text)
    (entry,) = [b for b in library.blocks if isinstance(b, Entry)]
    return entry.entry_type, entry.key, [(f.key, f.value) for f in entry.fields]


@pytest.mark.parametrize("text", PLAIN)
def test_a_plain_entry_is_read_as_bibtexparser_reads_it(text):
    assert simple_entry(text, macros=False) == _reference(text)


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_other_shapes_are_left_to_bibtexparser(text):
    assert simple_entry(text, macros=False) is None


def test_once_macros_exist_a_bare_value_is_left_to_bibtexparser():
    strings = "@string{jan = {January}}\n"
    assert simple_entry("@article{k, month = jan}\n", macros=True) is None
    braced = "@article{k, month = {jan}}\n"
    assert simple_entry(braced, macros=True) == _reference(braced, strings)


def test_a_file_mixing_both_keeps_order_lines_macros_keys_and_messages():
    text = (
        "Text before the first entry is a comment.\n"
        "@string{jour = {Journal of Tests}}\n"  # 2
        "@article{a, title={First}, journal = jour}\n"  # 3: macro, slow
        "@article{b, title={Second}, journal={Plain}}\n"  # 4: fast
        "@article{broken, title={Never closed\n"  # 5: slow, ended by the next block
        "@article{c,\n  title={Third},\n  year={2021}\n}\n"  # 6: fast
        "@article{a, title={Same key as line 3}}\n"  # 10: fast shape, duplicate key
        "@article{d, title={T}, title={U}}\n"  # 11: a field twice, both kept
    )
    items = list(bibtex.parse(text))
    records = [(i.line, i.title, i.journal) for i in items if isinstance(i, ParsedRecord)]
    assert records == [
        (3, "First", "Journal of Tests"),
        (4, "Second", "Plain"),
        (6, "Third", ""),
        (11, "T", ""),
    ]
    rejections = [(i.line, i.reason) for i in items if isinstance(i, Rejection)]
    assert rejections[0][0] == 5
    assert "Unexpected block start: `@article`" in rejections[0][1]
    assert rejections[1] == (10, "BibTeX entry could not be read: Duplicate entry key 'a'")
    assert [i.line for i in items] == [3, 4, 5, 6, 10, 11]
    assert items[-1].raw["title"] == ["T", "U"]
