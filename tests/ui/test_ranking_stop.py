"""Stopping while the statistical rule says keep screening: plain words, a strong warning, and
the rule itself cannot be claimed; stopping still needs a stated reason."""

import pytest
from django.urls import reverse

from screening.models import Record, RecordState, StoppingDecision
from screening.selectors import ranking as selectors
from tests.ranking_app.builders import make_corpus, settle_as


def _early(world):
    relevant, irrelevant = make_corpus(world.review)
    for minutes, record in enumerate([relevant[0], *irrelevant[:3]]):
        settle_as(
            record, "include" if record is relevant[0] else "exclude", minutes_ago=10 - minutes
        )
    evidence = selectors.stopping_evidence(review=world.review)
    assert evidence.statistical and not evidence.statistical.should_stop
    return evidence


def test_the_page_says_keep_screening_in_plain_words_and_guards_the_button(client_for, world):
    evidence = _early(world)
    html = client_for(world.lead).get(reverse("ranking", args=[world.review.pk])).content.decode()
    verdict = html.split('data-testid="stop-verdict"', 1)[1].split("</div>", 1)[0]
    assert "Keep screening." in verdict and "95% sure" in verdict
    assert "p =" not in verdict
    form = html.split('data-testid="stop-form"', 1)[1].split("</form>", 1)[0]
    assert f'data-confirm-button="Exclude {evidence.n_stoppable} records"' in form
    assert 'name="against_rule"' in form and "required" in form
    assert '<option value="statistical"' not in form  # the rule is not met: not offered


def test_the_statistical_rule_cannot_be_claimed_and_a_reason_is_needed(client_for, world):
    _early(world)
    client = client_for(world.lead)
    url = reverse("ranking_stop", args=[world.review.pk])
    refused = client.post(url, {"rule": "statistical", "note": "x"}, follow=True)
    assert b"says keep screening" in refused.content
    silent = client.post(url, {"rule": "lead", "note": "  "}, follow=True)
    assert b"say why in the note" in silent.content
    assert not StoppingDecision.objects.exists()
    assert not Record.objects.filter(state=RecordState.AUTOMATION).exists()
    client.post(url, {"rule": "lead", "note": "funder's deadline", "against_rule": "1"})
    assert StoppingDecision.objects.get().note == "funder's deadline"


@pytest.mark.browser
def test_point07_stopping_asks_for_confirmation_with_the_count(new_context, world):
    evidence = _early(world)
    page = new_context(world.lead)
    page.goto(reverse("ranking", args=[world.review.pk]))
    button = page.locator("[data-testid=stop-button]")
    button.click()  # the required box and note stop it first
    assert not page.locator("#confirm-dialog[open]").count()
    page.check("[data-testid=stop-against]")
    page.fill("#stop-note", "funder's deadline")
    button.click()
    dialog = page.locator("#confirm-dialog[open]")
    dialog.wait_for()
    assert f"Exclude the {evidence.n_stoppable} records" in dialog.inner_text()
    assert "statistical rule says keep screening" in dialog.inner_text()
    dialog.locator("[data-testid=confirm-cancel]").click()
    assert not StoppingDecision.objects.exists()
    button.click()
    page.locator(
        f"#confirm-dialog [data-testid=confirm-ok]:text-is('Exclude {evidence.n_stoppable} records')"
    ).click()
    page.locator(".alert-success[role=alert]").wait_for()
    assert StoppingDecision.objects.get().n_records == evidence.n_stoppable
