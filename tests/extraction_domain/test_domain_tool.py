"""The simple domain-based risk-of-bias tool and its summaries."""

import json

import pytest

from extraction.domain.domain_tool import (
    BiasDomain,
    DomainRating,
    DomainTool,
    Rating,
    StudyRatings,
    default_tool,
    domain_summaries,
    tool_from_dict,
    tool_to_dict,
    traffic_light,
    validate_ratings,
    validate_tool,
)

LOW, HIGH, UNCLEAR = Rating.LOW, Rating.HIGH, Rating.UNCLEAR


def study(study_id, **ratings):
    return StudyRatings(
        study_id,
        f"Study {study_id}",
        tuple(DomainRating(key, rating, f"support for {key}") for key, rating in ratings.items()),
    )


@pytest.fixture
def studies():
    return [
        study("a", selection=LOW, performance=HIGH, detection=LOW, attrition=LOW),
        study("b", selection=HIGH, performance=HIGH, detection=UNCLEAR, attrition=LOW),
        study("c", selection=HIGH, performance=UNCLEAR, detection=UNCLEAR),
        study("d", selection=UNCLEAR, performance=HIGH),
    ]


def test_the_default_reproduces_the_seed_reviews_four_domains():
    tool = default_tool()
    assert [d.key for d in tool.domains] == ["selection", "performance", "detection", "attrition"]
    assert [d.name for d in tool.domains][0] == "Selection bias"
    assert "allocation concealed" in tool.domains[0].description
    assert "Furlan" in tool.reference
    assert validate_tool(tool) == ()


def test_validate_tool_reports_every_problem():
    tool = DomainTool(
        " ",
        (
            BiasDomain("selection", "Selection"),
            BiasDomain("selection", "Again"),
            BiasDomain("Blinding!", "Blinding"),
            BiasDomain("other", " "),
        ),
    )
    assert validate_tool(tool) == (
        "The tool needs a name.",
        "Domain 2: key 'selection' is used twice.",
        "Domain 3: key 'Blinding!' must start with a lowercase letter and use only lowercase "
        "letters, digits and underscores.",
        "Domain 4: the domain needs a name.",
    )
    assert validate_tool(DomainTool("Empty", ())) == ("The tool needs at least one domain.",)


def test_validate_ratings():
    ratings = [
        DomainRating("selection", LOW),
        DomainRating("selection", HIGH),
        DomainRating("reporting", LOW),
    ]
    assert validate_ratings(default_tool(), ratings) == (
        "'selection' is rated twice.",
        f"'reporting' is not a domain of {default_tool().name}.",
    )


def test_domain_summaries_count_and_share_every_study(studies):
    summaries = domain_summaries(default_tool(), studies)
    selection, performance, detection, attrition = summaries
    assert selection.counts == {LOW: 1, HIGH: 2, UNCLEAR: 1}
    assert selection.percent == {LOW: 25.0, HIGH: 50.0, UNCLEAR: 25.0}
    assert performance.counts[HIGH] == 3
    assert detection.percent_not_rated == 25.0
    assert attrition.counts == {LOW: 2, HIGH: 0, UNCLEAR: 0}
    assert attrition.not_rated == 2
    for summary in summaries:
        assert sum(summary.percent.values()) + summary.percent_not_rated == pytest.approx(100.0)


def test_domain_summaries_can_be_weighted(studies):
    weights = {"a": 70, "b": 10, "c": 10, "d": 10}
    selection = domain_summaries(default_tool(), studies, weights)[0]
    assert selection.counts == {LOW: 1, HIGH: 2, UNCLEAR: 1}
    assert selection.percent == {LOW: 70.0, HIGH: 20.0, UNCLEAR: 10.0}


def test_a_weight_missing_for_a_study_is_an_error(studies):
    with pytest.raises(ValueError, match="Study 'd' needs a weight"):
        domain_summaries(default_tool(), studies, {"a": 1, "b": 1, "c": 1})
    with pytest.raises(ValueError, match="Study 'a' needs a weight"):
        domain_summaries(default_tool(), studies, {"a": -1, "b": 1, "c": 1, "d": 1})


def test_domain_summaries_with_no_studies_are_empty_bars():
    summary = domain_summaries(default_tool(), [])[0]
    assert summary.percent == {LOW: 0.0, HIGH: 0.0, UNCLEAR: 0.0}
    assert summary.percent_not_rated == 0.0


def test_traffic_light_matrix(studies):
    matrix = traffic_light(default_tool(), studies)
    assert [d.key for d in matrix.domains] == ["selection", "performance", "detection", "attrition"]
    assert [row.label for row in matrix.rows] == ["Study a", "Study b", "Study c", "Study d"]
    assert matrix.rows[2].cells == (HIGH, UNCLEAR, UNCLEAR, None)
    assert matrix.rows[0].cells == (LOW, HIGH, LOW, LOW)


def test_a_tool_round_trips_through_json():
    data = json.loads(json.dumps(tool_to_dict(default_tool())))
    assert tool_from_dict(data) == default_tool()


def test_tool_from_dict_rejects_bad_definitions():
    with pytest.raises(ValueError, match="used twice"):
        tool_from_dict(
            {"name": "T", "domains": [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}]}
        )
    with pytest.raises(ValueError, match="Not a domain tool definition"):
        tool_from_dict({"name": "T", "domains": [{"name": "no key"}]})
