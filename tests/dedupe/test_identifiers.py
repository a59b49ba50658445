"""The one DOI and page normaliser (screening/identifiers.py) on real DOI shapes.

Failure class 1 of issue 12: SICI DOIs contain "<...>", which text folding took for
an HTML tag, so different articles got the same "DOI".
"""

import pytest

from screening.identifiers import (
    doi_base,
    identifies_an_article,
    normalise_doi,
    normalise_pages,
    page_range,
)

SICI = "10.1002/(sici)1097-4679(199901)55:1<83::aid-jclp8>3.0.co;2-n"


@pytest.mark.parametrize(
    "raw",
    [
        "10.1002/(SICI)1097-4679(199901)55:1<83::AID-JCLP8>3.0.CO;2-N",
        "doi:10.1002/(SICI)1097-4679(199901)55:1<83::AID-JCLP8>3.0.CO;2-N",
        "DOI: 10.1002/(SICI)1097-4679(199901)55:1<83::AID-JCLP8>3.0.CO;2-N.",
        "https://doi.org/10.1002/(SICI)1097-4679(199901)55:1%3C83::AID-JCLP8%3E3.0.CO;2-N",
        "http://dx.doi.org/10.1002/%28SICI%291097-4679%28199901%2955%3A1%3C83%3A%3AAID-JCLP8%3E3.0.CO%3B2-N",
        "10.1002/(SICI)1097-4679(199901)55:1&lt;83::AID-JCLP8&gt;3.0.CO;2-N",
        "10.1002/(SICI)1097-4679(199901)55:1<83::AID-JCLP8>3.0.CO;2-N [doi]",
    ],
)
def test_sici_doi_survives_every_wrapping(raw):
    assert normalise_doi(raw) == SICI


def test_sici_dois_of_one_issue_stay_different():
    first = normalise_doi("10.1002/(SICI)1097-4679(199901)55:1<83::AID-JCLP8>3.0.CO;2-N")
    second = normalise_doi("10.1002/(SICI)1097-4679(199901)55:1<57::AID-JCLP6>3.0.CO;2-N")
    assert first != second
    assert "<57::aid-jclp6>" in second


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://doi.org/10.1073/PNAS.1604234114.", "10.1073/pnas.1604234114"),
        ("http://dx.doi.org/10.1016/j.x.2010.01.031", "10.1016/j.x.2010.01.031"),
        ("https://www.doi.org/10.1016/S0140-6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),
        ("(10.1016/S0140-6736(20)30183-5)", "10.1016/s0140-6736(20)30183-5"),
        ("doi 10.1016/0002-9343(79)90001-X;", "10.1016/0002-9343(79)90001-x"),
        (
            "10.1642/0004-8038(2000)117[0301:NPIFFE]2.0.CO;2",
            "10.1642/0004-8038(2000)117[0301:npiffe]2.0.co;2",
        ),
        ("[10.1234/abc.def]", "10.1234/abc.def"),
        ("10.1097/MOL.0b013e3282ffaf82 [doi]", "10.1097/mol.0b013e3282ffaf82"),
        (
            "S0140-6736(20)30183-5 [pii]; 10.1016/S0140-6736(20)30183-5 [doi]",
            "10.1016/s0140-6736(20)30183-5",
        ),
        ("10.1000/xyz", "10.1000/xyz"),
        ("10.1000.10/123456", "10.1000.10/123456"),
        ("https://doi.org/10.1093%2Fpm%2Fpnz012", "10.1093/pm/pnz012"),
        ("10\u20111002/abc", ""),  # not a DOI: the prefix must be "10."
        ("10.1002/abc\u2010def", "10.1002/abc-def"),  # a typographic hyphen
        ("NA", ""),
        ("", ""),
        ("https://example.org/paper", ""),
    ],
)
def test_doi_shapes(raw, expected):
    assert normalise_doi(raw) == expected


def test_a_journal_prefix_is_kept_but_identifies_no_article():
    assert normalise_doi("10.17705/1CAIS.") == "10.17705/1cais"
    assert not identifies_an_article("10.17705/1cais")
    assert identifies_an_article(SICI)


def test_doi_base_drops_versions_only():
    assert doi_base("10.1002/14651858.cd002273.pub3") == "10.1002/14651858.cd002273"
    assert doi_base("10.1101/2020.01.01.123456v2") == "10.1101/2020.01.01.123456"
    assert doi_base(SICI) == SICI
    assert doi_base("10.1016/j.jcv2") == "10.1016/j.jcv2"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("221-6", ("221", "226")),
        ("221\u2013226", ("221", "226")),
        ("pp. 221-226", ("221", "226")),
        ("iii-vii", ("iii", "vii")),
        ("e0168396", ("e0168396", "")),
        ("101-110", ("101", "110")),
    ],
)
def test_pages(raw, expected):
    assert normalise_pages(raw) == expected


def test_page_range_joins_start_and_end():
    assert page_range("221", "226") == "221-226"
    assert page_range("221 \u2013 226") == "221-226"
    assert page_range("No", "Specified") == ""
