"""Highlight terms: the documented wildcard, everything else literal, linear time, caps."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from screening.highlight import MAX_TERM_LENGTH, MAX_TERMS, Highlighter, glob_matches
from screening.services.settings import clean_terms, screening_settings_for, update_settings


def marks(highlighter, text):
    return re.findall(r'<mark class="hl-(\w+)">(.*?)</mark>', str(highlighter(text)), re.DOTALL)


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        (
            "naltrex*",
            "Naltrexone and naltrexol, not naltrex-like",
            ["Naltrexone", "naltrexol", "naltrex"],
        ),
        ("*algia", "Fibromyalgia; algia", ["Fibromyalgia", "algia"]),
        ("an*sia", "analgesia anaesthesia ansia", ["analgesia", "anaesthesia", "ansia"]),
        ("low dose naltrexone", "low\n  dose naltrexone", ["low\n  dose naltrexone"]),
        ("IL-6", "IL-6 and IL-60", ["IL-6"]),
        ("a.b", "a.b axb", ["a.b"]),
        ("(R)-*", "the (R)-ketamine arm", ["(R)-ketamine"]),
        ("c++", "C++ and c", ["C++"]),
        ("a*a*b", "aab ab aaab axaxb", ["aab", "aaab", "axaxb"]),
        ("pain *", "pain relief pain", ["pain relief"]),
    ],
)
def test_terms_match_whole_words_with_the_wildcard(term, text, expected):
    assert [m[1] for m in marks(Highlighter([term]), text)] == expected


def test_include_wins_over_exclude_and_longer_over_shorter():
    h = Highlighter(["low dose naltrexone", "mice"], ["naltrexone", "mice"])
    assert marks(h, "low dose naltrexone in mice; naltrexone") == [
        ("include", "low dose naltrexone"),
        ("include", "mice"),
        ("exclude", "naltrexone"),
    ]


def test_record_text_is_escaped():
    assert str(Highlighter(["script"])("<script>x</script>")) == (
        '&lt;<mark class="hl-include">script</mark>&gt;x&lt;/<mark class="hl-include">'
        "script</mark>&gt;"
    )


@pytest.mark.parametrize(
    ("glob", "word", "expected"),
    [("a*b", "ab", True), ("a*b", "b", False), ("a*a", "a", False), ("*", "x", True),
     ("ab*ba", "aba", False), ("a*b*c", "acbc", True), ("a*b*c", "acb", False)],
)  # fmt: skip
def test_glob_matches_as_fnmatch_would(glob, word, expected):
    assert glob_matches(glob, word) is expected


def test_no_compiled_pattern_has_a_backtracking_wildcard():
    term = "a*" * 49 + "b"
    h = Highlighter([term, "x* y* z*", "* *"], ["naltrex*"])
    for pattern in h.patterns:
        assert not re.search(r"\)[*+?{]", pattern), pattern  # no quantified group
        # every word-run quantifier is possessive; \s+ only sits between literals
        assert set(re.findall(r"\\w[*+?{]+", pattern)) <= {"\\w++", "\\w*+"}, pattern


def test_a_hostile_term_over_a_hostile_text_finishes_and_is_right():
    """The term that took 29 s per record before: now one pass per term (bench case)."""
    term = "a*" * 49 + "b"
    text = ("a" * 5000 + " ") * 20 + "a" * 60 + "b"
    assert marks(Highlighter([term]), text) == [("include", "a" * 60 + "b")]


def test_the_settings_service_refuses_terms_over_the_caps(world):
    with pytest.raises(ValidationError, match=f"at most {MAX_TERM_LENGTH} characters"):
        update_settings(review=world.review, by=world.lead, highlight_include=["a" * 101])
    with pytest.raises(ValidationError, match=f"At most {MAX_TERMS} highlight terms"):
        update_settings(
            review=world.review, by=world.lead, highlight_exclude=[f"t{i}" for i in range(101)]
        )
    assert screening_settings_for(world.review).highlight_include == []
    assert clean_terms("a, b\nA") == ["a", "b"]


def test_the_settings_page_and_api_say_why(world, client_for):
    client = client_for(world.lead)
    response = client.patch(
        reverse("api:screening_settings", args=[world.review.pk]),
        {"highlight_include": [f"t{i}" for i in range(150)]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "highlight terms" in response.content.decode()
    response = client.post(
        reverse("screening_settings", args=[world.review.pk]),
        {"votes_needed_ta": 2, "votes_needed_ft": 2, "highlight_include": "x" * 150},
    )
    assert response.status_code == 400 and "at most 100 characters" in response.content.decode()
    assert screening_settings_for(world.review).highlight_include == []
