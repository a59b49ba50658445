"""The lead's "known relevant" papers: pasted, matched, and used by the cold start only."""

from django.urls import reverse

from screening.models import KnownRelevant, ModelStatus, RankingModelState
from screening.selectors.ranking import ranked_scores, training_labels
from screening.services import ranking as ranking_services
from screening.services.known_relevant import paste_known_relevant, read_line
from tests.factories import make_batch, make_record
from tests.ranking_app.builders import make_corpus


def test_lines_are_read_as_doi_pmid_or_title():
    assert read_line("https://doi.org/10.1000/ABC.1.") == ("doi", "10.1000/abc.1")
    assert read_line("PMID: 0012345") == ("pmid", "12345")
    assert read_line("  Naltrexone for PAIN: a trial. ") == ("title", "naltrexone for pain a trial")
    assert read_line("pain") is None and read_line("   ") is None


def test_pasted_papers_are_matched_by_doi_pmid_and_title_words(world):
    batch = make_batch(world.review)
    by_doi = make_record(batch, title="First", doi="10.1000/abc.1")
    by_pmid = make_record(batch, title="Second", pmid="12345")
    by_title = make_record(batch, title="Low-dose Naltrexone for chronic pain: a randomised trial")

    result = paste_known_relevant(
        review=world.review,
        by=world.lead,
        text="doi:10.1000/ABC.1\n12345\nlow dose naltrexone for chronic pain a randomised trial\n"
        "A paper that is not in this review at all\nxyz\n",
    )

    assert [e.record_id for e in result.matched] == [by_doi.pk, by_pmid.pk, by_title.pk]
    assert [e.line for e in result.unmatched] == ["A paper that is not in this review at all"]
    assert result.ignored == ["xyz"]
    assert KnownRelevant.objects.filter(review=world.review).count() == 4


def test_a_repeated_paste_keeps_one_entry_and_a_later_import_matches_a_miss(world):
    paste_known_relevant(review=world.review, by=world.lead, text="10.1000/later.7")
    assert KnownRelevant.objects.get().record_id is None

    later = make_record(make_batch(world.review), title="Imported later", doi="10.1000/later.7")
    again = paste_known_relevant(review=world.review, by=world.lead, text="DOI 10.1000/LATER.7")

    entry = KnownRelevant.objects.get()
    assert entry.record_id == later.pk and [e.pk for e in again.matched] == [entry.pk]


def test_known_papers_order_every_cold_queue_without_becoming_a_label(world):
    relevant, irrelevant = make_corpus(world.review)
    paste_known_relevant(review=world.review, by=world.lead, text=relevant[0].title)

    ranking_services.retrain_review(review=world.review)

    for screener in (world.reviewer, world.reviewer2):
        state = RankingModelState.objects.get(review=world.review, reviewer=screener)
        assert state.status == ModelStatus.WAITING  # no include exists: nothing to fit
        assert training_labels(review=world.review, reviewer=screener) == {}
        scores = ranked_scores(review=world.review, reviewer=screener)
        # The naltrexone records come before every unrelated one.
        assert min(scores[r.pk] for r in relevant) > max(scores[r.pk] for r in irrelevant)
    mine = ranked_scores(review=world.review, reviewer=world.reviewer)
    theirs = ranked_scores(review=world.review, reviewer=world.reviewer2)
    assert mine == theirs  # the same prior for everyone


def test_removing_the_last_known_paper_restores_the_random_order(client_for, world):
    relevant, _ = make_corpus(world.review)
    paste_known_relevant(review=world.review, by=world.lead, text=relevant[0].title)
    ranking_services.retrain_review(review=world.review)
    assert ranked_scores(review=world.review, reviewer=world.reviewer)
    entry = KnownRelevant.objects.get()

    response = client_for(world.lead).post(
        reverse("known_relevant_remove", args=[world.review.pk, entry.pk])
    )
    ranking_services.retrain_review(review=world.review)

    assert response.status_code == 302 and not KnownRelevant.objects.exists()
    assert not ranked_scores(review=world.review, reviewer=world.reviewer)


def test_the_page_shows_what_matched_and_what_did_not(client_for, world):
    relevant, _ = make_corpus(world.review)
    url = reverse("known_relevant", args=[world.review.pk])
    client = client_for(world.lead)

    response = client.post(url, {"text": f"{relevant[1].title}\nNo such <b>paper</b> here"})
    page = response.content.decode()

    assert response.status_code == 200
    assert "<strong>1</strong> matched, <strong>1</strong> not found" in page
    assert "No such &lt;b&gt;paper&lt;/b&gt; here" in page  # record text is escaped
    assert page.count('data-testid="known-entry"') == 2
    assert client.post(url, {"text": "  \n"}).status_code == 400
    assert client_for(world.reviewer).get(url).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.outsider).post(url, {"text": "10.1000/x"}).status_code == 404
    assert KnownRelevant.objects.count() == 2


def test_the_api_lists_pastes_and_removes_for_the_lead_only(client_for, world):
    relevant, _ = make_corpus(world.review)
    url = f"/api/reviews/{world.review.pk}/ranking/known-relevant/"
    lead = client_for(world.lead)

    pasted = lead.post(
        url, {"text": f"{relevant[2].title}\n10.9999/missing"}, content_type="application/json"
    )
    listed = lead.get(url).json()

    assert pasted.status_code == 201
    body = pasted.json()
    assert [e["record"] for e in body["matched"]] == [relevant[2].pk]
    assert [e["line"] for e in body["unmatched"]] == ["10.9999/missing"]
    assert [(e["kind"], e["matched"]) for e in listed] == [("title", True), ("doi", False)]
    assert lead.post(url, {"text": ""}, content_type="application/json").status_code == 400
    assert client_for(world.reviewer).get(url).status_code == 403
    assert client_for(world.reviewer).post(url, {"text": "x y z"}).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.reviewer).delete(f"{url}{listed[0]['id']}/").status_code == 403
    lead = client_for(world.lead)  # one test client, logged in as each user in turn
    assert lead.delete(f"{url}{listed[1]['id']}/").status_code == 204
    assert [e["line"] for e in lead.get(url).json()] == [relevant[2].title]
