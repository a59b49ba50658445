"""Decoding of bytes and recognising formats from content."""

import pytest

from screening.importers import UnsupportedFile, decode, detect_format

RIS = "TY  - JOUR\nTI  - Café\nER  - \n"


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + RIS.encode(),
        RIS.encode("utf-16"),  # with BOM
        RIS.encode("utf-16-le"),
        RIS.encode("utf-16-be"),
        RIS.encode("cp1252"),
        RIS.encode("latin-1"),
        RIS.replace("\n", "\r\n").encode(),
        RIS.replace("\n", "\r").encode(),
    ],
    ids=["utf8-bom", "utf16-bom", "utf16le", "utf16be", "cp1252", "latin1", "crlf", "bare-cr"],
)
def test_it_decodes_every_encoding_to_the_same_text(data):
    assert decode(data) == RIS


def test_it_prefers_cp1252_for_windows_quotes():
    assert decode("“smart” – quotes".encode("cp1252")) == "“smart” – quotes"


def test_it_drops_nul_bytes():
    assert decode(b"TY  - JOUR\x00\n") == "TY  - JOUR\n"


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("1.\nTY  - JOUR\n", "ris"),
        ("\nPMID- 123\nTI  - x\n", "medline"),
        ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n", "wos"),
        ("PT\tAU\tTI\tSO\tUT\nJ\ta\tb\tc\td\n", "wos-tab"),
        ("% comment\n@article{key,\n title={x}}\n", "bibtex"),
        ('<?xml version="1.0"?><xml><records><record>', "endnote-xml"),
        ("<?xml version='1.0'?>\n<PubmedArticleSet>\n", "pubmed-xml"),
        ("%0 Journal Article\n%T x\n", "endnote-tagged"),
        ("Title,Authors,Year\nx,y,2019\n", "csv"),
        ("title;abstract\nx;y\n", "csv"),
        ("TY,AU,TI\nJOUR,a,b\n", "csv"),
    ],
)
def test_it_detects_formats_from_content(text, fmt):
    assert detect_format(text) == fmt


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("%PDF-1.7\n%âãÏÓ\n1 0 obj", "PDF document"),
        ("<!DOCTYPE html>\n<html><body>Sign in</body></html>", "HTML page"),
        ('[\n  {"title": "x"}\n]', "JSON file"),
        ("Report Information from ProQuest\n____", "ProQuest plain-text report"),
        ("We searched PubMed and Embase on 1 May.\nThen we screened.", "plain text"),
        ("name,colour\nfoo,blue\n", "none of its columns"),
        ("PK\x03\x04\x14\x00\x06\x00", "ZIP archive"),
        ("<?xml version='1.0'?><rss><channel/></rss>", "XML file"),
    ],
)
def test_it_refuses_what_it_cannot_read_with_a_clear_message(text, message):
    with pytest.raises(UnsupportedFile, match=message):
        detect_format(text)
