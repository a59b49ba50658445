"""RoB 2 questions, applicability, validation, overall judgement and overrides."""

import json
from dataclasses import asdict

import pytest

from extraction.domain.rob2 import (
    Answer,
    AssessorJudgement,
    Effect,
    Judgement,
    applicable_questions,
    assess,
    decide,
    judge_domain,
    overall_judgement,
    parse_answers,
    rob2_domain,
    rob2_domains,
    validate_answers,
)

LOW, SOME, HIGH = Judgement.LOW, Judgement.SOME_CONCERNS, Judgement.HIGH


def test_it_lists_the_22_signalling_questions_of_the_assignment_variant():
    ids = [q.id for d in rob2_domains() for q in d.questions]
    assert len(ids) == 22
    assert ids[:3] == ["1.1", "1.2", "1.3"]
    assert ids[-3:] == ["5.1", "5.2", "5.3"]
    assert rob2_domain(1).questions[0].text == "Was the allocation sequence random?"


def test_it_uses_the_adherence_variant_of_domain_2():
    domain = rob2_domain(2, Effect.ADHERENCE)
    assert [q.id for q in domain.questions] == ["2.1", "2.2", "2.3", "2.4", "2.5", "2.6"]
    assert "adhering" in domain.title
    assert rob2_domain(1, Effect.ADHERENCE) is rob2_domain(1)


def test_the_question_catalogue_is_json_serialisable():
    text = json.dumps([asdict(d) for d in rob2_domains()])
    assert '"condition": "If N/PN/NI to 3.1"' in text


def test_3_2_offers_no_no_information_option():
    question = rob2_domain(3).questions[1]
    assert Answer.NO_INFORMATION not in question.options
    assert Answer.NOT_APPLICABLE in question.options


def test_it_rejects_a_domain_outside_1_to_5():
    with pytest.raises(ValueError, match="domains 1 to 5"):
        rob2_domain(6)


@pytest.mark.parametrize(
    ("domain", "effect", "answers", "asked"),
    [
        (1, Effect.ASSIGNMENT, {}, ("1.1", "1.2", "1.3")),
        (2, Effect.ASSIGNMENT, {}, ("2.1", "2.2", "2.6")),
        (2, Effect.ASSIGNMENT, {"2.1": "N", "2.2": "PN", "2.6": "Y"}, ("2.1", "2.2", "2.6")),
        (2, Effect.ASSIGNMENT, {"2.1": "N", "2.2": "NI"}, ("2.1", "2.2", "2.3", "2.6")),
        (2, Effect.ASSIGNMENT, {"2.1": "Y", "2.3": "PY"}, ("2.1", "2.2", "2.3", "2.4", "2.6")),
        (
            2,
            Effect.ASSIGNMENT,
            {"2.1": "Y", "2.3": "Y", "2.4": "NI", "2.6": "PN"},
            ("2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7"),
        ),
        (
            2,
            Effect.ASSIGNMENT,
            {"2.1": "Y", "2.3": "Y", "2.4": "N"},
            ("2.1", "2.2", "2.3", "2.4", "2.6"),
        ),
        (2, Effect.ADHERENCE, {}, ("2.1", "2.2", "2.4", "2.5")),
        (
            2,
            Effect.ADHERENCE,
            {"2.1": "N", "2.2": "N", "2.4": "N", "2.5": "PN"},
            ("2.1", "2.2", "2.4", "2.5"),
        ),
        (
            2,
            Effect.ADHERENCE,
            {"2.1": "N", "2.2": "N", "2.4": "N", "2.5": "NI"},
            ("2.1", "2.2", "2.4", "2.5", "2.6"),
        ),
        (
            2,
            Effect.ADHERENCE,
            {"2.1": "PY", "2.3": "NI"},
            ("2.1", "2.2", "2.3", "2.4", "2.5", "2.6"),
        ),
        (
            2,
            Effect.ADHERENCE,
            {"2.1": "PY", "2.3": "NA", "2.4": "NA", "2.5": "N"},
            ("2.1", "2.2", "2.3", "2.4", "2.5"),
        ),
        (3, Effect.ASSIGNMENT, {"3.1": "Y"}, ("3.1",)),
        (3, Effect.ASSIGNMENT, {"3.1": "NI", "3.2": "PY"}, ("3.1", "3.2")),
        (3, Effect.ASSIGNMENT, {"3.1": "N", "3.2": "N", "3.3": "NI"}, ("3.1", "3.2", "3.3", "3.4")),
        (4, Effect.ASSIGNMENT, {"4.1": "N", "4.2": "Y"}, ("4.1", "4.2")),
        (
            4,
            Effect.ASSIGNMENT,
            {"4.1": "NI", "4.2": "NI", "4.3": "Y", "4.4": "PY"},
            ("4.1", "4.2", "4.3", "4.4", "4.5"),
        ),
        (5, Effect.ASSIGNMENT, {}, ("5.1", "5.2", "5.3")),
    ],
)
def test_applicable_questions_follow_the_guidance_conditions(domain, effect, answers, asked):
    assert applicable_questions(domain, answers, effect) == asked


def test_a_stale_answer_to_a_hidden_question_is_ignored_and_opens_nothing():
    # 2.3 was answered Y, then 2.1/2.2 changed to "unaware": 2.3 and 2.4 disappear.
    answers = parse_answers(
        {"2.1": "N", "2.2": "N", "2.3": "Y", "2.4": "Y", "2.5": "N", "2.6": "Y"}
    )
    result = judge_domain(2, answers)
    assert result.asked == ("2.1", "2.2", "2.6")
    assert result.ignored == ("2.3", "2.4", "2.5")
    assert result.proposed is LOW


def test_it_proposes_nothing_until_every_asked_question_is_answered():
    result = judge_domain(1, {"1.1": Answer.YES, "1.2": Answer.YES})
    assert result.proposed is None
    assert result.missing == ("1.3",)
    assert "1.3" in result.reason


def test_na_to_an_asked_question_counts_as_unanswered():
    result = judge_domain(3, parse_answers({"3.1": "N", "3.2": "NA"}))
    assert result.proposed is None
    assert result.missing == ("3.2",)


def test_na_is_an_answer_for_the_adherence_if_applicable_questions():
    answers = parse_answers({"2.1": "Y", "2.2": "Y", "2.3": "NA", "2.4": "NA", "2.5": "NA"})
    assert judge_domain(2, answers, Effect.ADHERENCE).proposed is LOW


@pytest.mark.parametrize(
    ("domain", "answers", "message"),
    [
        (3, {"3.1": "N", "3.2": "NI"}, "3.2 takes NA/Y/PY/PN/N, not 'NI'."),
        (1, {"1.1": "NA"}, "1.1 takes Y/PY/PN/N/NI, not 'NA'."),
        (1, {"2.1": "Y"}, "Domain 1 has no question 2.1."),
        (5, {"5.1": "maybe"}, "5.1 takes Y/PY/PN/N/NI, not 'maybe'."),
    ],
)
def test_it_rejects_answers_the_guidance_does_not_offer(domain, answers, message):
    assert message in validate_answers(domain, answers)
    with pytest.raises(ValueError, match="takes|has no question"):
        judge_domain(domain, answers)


def test_parse_answers_is_case_insensitive_and_drops_blanks():
    assert parse_answers({"1.1": " py ", "1.2": "", "1.3": None, "1.4": "na"}) == {
        "1.1": Answer.PROBABLY_YES,
        "1.4": Answer.NOT_APPLICABLE,
    }
    with pytest.raises(ValueError, match="1.1: 'yes' is not one of Y, PY, PN, N, NI, NA"):
        parse_answers({"1.1": "yes"})


def test_the_reason_names_the_path_taken():
    result = judge_domain(
        2, parse_answers({"2.1": "Y", "2.2": "Y", "2.3": "N", "2.6": "N", "2.7": "Y"})
    )
    assert result.proposed is HIGH
    assert result.reason.startswith("part 1 low")
    assert "part 2 high" in result.reason


# Overall judgement (the guidance's overall criteria)


def all_(judgement):
    return dict.fromkeys(range(1, 6), judgement)


@pytest.mark.parametrize(
    ("domains", "proposed", "needs_review"),
    [
        (all_(LOW), LOW, False),
        ({**all_(LOW), 3: HIGH}, HIGH, False),
        ({**all_(SOME), 5: HIGH}, HIGH, False),
        ({**all_(LOW), 2: SOME}, SOME, False),
        ({**all_(LOW), 2: SOME, 4: SOME}, SOME, True),
        (all_(SOME), SOME, True),
        ({**all_(LOW), 1: HIGH, 2: SOME, 4: SOME}, HIGH, False),
        ({**all_(LOW), 1: "some_concerns"}, SOME, False),
    ],
)
def test_overall_judgement(domains, proposed, needs_review):
    result = overall_judgement(domains)
    assert result.proposed is proposed
    assert result.needs_review is needs_review


def test_overall_waits_for_all_five_domains():
    result = overall_judgement({1: LOW, 2: HIGH, 3: None})
    assert result.proposed is None
    assert result.reason == "domains not yet judged: 3, 4, 5"


def test_overall_explains_the_judgement_call_for_several_concerns():
    result = overall_judgement({**all_(LOW), 2: SOME, 5: SOME})
    assert "domains 2, 5" in result.reason
    assert "override to high" in result.reason


def test_overall_rejects_unknown_domains():
    with pytest.raises(ValueError, match="not \\[6\\]"):
        overall_judgement({**all_(LOW), 6: LOW})


# Assessor overrides


def test_accepting_the_proposal_needs_no_reason():
    judgement = decide(SOME)
    assert judgement == AssessorJudgement(SOME, SOME, "")
    assert not judgement.is_override


def test_an_override_needs_a_reason():
    with pytest.raises(
        ValueError,
        match=r"Overriding the proposed judgement \(some_concerns\) with high needs a reason",
    ):
        decide(SOME, HIGH, "   ")
    with pytest.raises(ValueError, match="needs a reason"):
        AssessorJudgement(LOW, HIGH)


def test_an_override_with_a_reason_is_kept():
    judgement = decide(SOME, "high", "  concerns in 2 and 5 compound  ")
    assert judgement.final is HIGH
    assert judgement.is_override
    assert judgement.override_reason == "concerns in 2 and 5 compound"


def test_without_a_proposal_the_assessor_must_choose_and_explain():
    with pytest.raises(ValueError, match="no proposed judgement"):
        decide(None)
    with pytest.raises(ValueError, match="no proposal"):
        decide(None, LOW)
    assert decide(None, LOW, "judged from the full report").final is LOW


# A whole assessment

LOW_ANSWERS = {
    1: {"1.1": "Y", "1.2": "Y", "1.3": "N"},
    2: {"2.1": "N", "2.2": "N", "2.6": "Y"},
    3: {"3.1": "Y"},
    4: {"4.1": "N", "4.2": "N", "4.3": "N"},
    5: {"5.1": "Y", "5.2": "N", "5.3": "N"},
}


def test_assess_a_trial_at_low_risk():
    answers = {n: parse_answers(a) for n, a in LOW_ANSWERS.items()}
    result = assess(answers)
    assert [d.proposed for d in result.domains] == [LOW] * 5
    assert result.overall.proposed is LOW


def test_assess_uses_the_assessors_final_domain_judgements():
    answers = {n: parse_answers(a) for n, a in LOW_ANSWERS.items()}
    answers[5] = parse_answers({"5.1": "N", "5.2": "N", "5.3": "N"})
    assert assess(answers).overall.proposed is SOME
    overridden = assess(answers, final_judgements={5: LOW})
    assert overridden.domains[4].proposed is SOME
    assert overridden.overall.proposed is LOW


def test_assess_with_some_domains_unanswered():
    result = assess({1: parse_answers(LOW_ANSWERS[1])}, Effect.ADHERENCE)
    assert result.effect is Effect.ADHERENCE
    assert result.domains[0].proposed is LOW
    assert result.domains[1].missing == ("2.1", "2.2", "2.4", "2.5")
    assert result.overall.proposed is None


def test_assess_rejects_unknown_domains():
    with pytest.raises(ValueError, match="not \\[0\\]"):
        assess({0: {}})
