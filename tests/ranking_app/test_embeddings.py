"""The semantic block in the app: vectors stored once per record, reused by every model.

Runs the real all-MiniLM-L6-v2 model when the `semantic` extra is installed (skipped
otherwise: the default install ranks on TF-IDF alone).
"""

import numpy as np
import pytest

from screening.models import ModelStatus, RankingModelState, RecordEmbedding, Stage
from screening.ranking import semantic
from screening.ranking.model import DEFAULT_SETTINGS, SEMANTIC_SETTINGS
from screening.services import embeddings
from screening.services import ranking as services
from screening.services.cold_start import ReviewQuery
from screening.services.queue import next_record
from tests.ranking_app.builders import make_corpus, settle_as

needs_extra = pytest.mark.skipif(
    not semantic.available(), reason="the semantic extra is not installed"
)


def test_the_block_is_off_by_default(world, settings):
    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include")
    settle_as(irrelevant[0], "exclude")
    assert settings.RANKING_SEMANTIC is False and not embeddings.semantic_on()

    services.retrain_review(review=world.review)

    assert not RecordEmbedding.objects.exists()  # nothing embedded, nothing queued
    state = RankingModelState.objects.get(review=world.review, reviewer=world.reviewer)
    assert state.status == ModelStatus.READY
    shared = services._settled_digest(
        f"{services._FEATURES[world.review.pk][0]}|{ReviewQuery()}",  # no question, terms, papers
        DEFAULT_SETTINGS,
        {relevant[0].pk: 1, irrelevant[0].pk: 0},
    )
    assert state.fingerprint == services._fingerprint(shared, {})


@needs_extra
def test_vectors_are_computed_once_and_the_models_use_them(world, settings):
    settings.RANKING_SEMANTIC = True
    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include")
    settle_as(irrelevant[0], "exclude")
    n_records = len(relevant) + len(irrelevant)

    # Tasks run in the request here, so nothing is queued: until the vectors exist
    # the models rank on words alone.
    services.retrain_review(review=world.review)
    assert embeddings.missing_ids(world.review.pk)
    mine = RankingModelState.objects.get(review=world.review, reviewer=world.reviewer)
    assert mine.status == ModelStatus.READY

    assert embeddings.embed_review(world.review.pk, chunk=7) == n_records
    assert RecordEmbedding.objects.count() == n_records
    assert embeddings.embed_review(world.review.pk) == 0  # stored, not recomputed
    stored = RecordEmbedding.objects.get(record=relevant[1])
    vector = np.frombuffer(bytes(stored.vector), dtype="<f4")
    assert stored.model == semantic.EMBEDDING_MODEL and vector.shape == (semantic.DIMENSIONS,)
    assert np.linalg.norm(vector) == pytest.approx(1, abs=1e-4)

    services.retrain_review(review=world.review)

    mine.refresh_from_db()
    assert mine.status == ModelStatus.READY
    labels = {relevant[0].pk: 1, irrelevant[0].pk: 0}
    key = f"{services._FEATURES[world.review.pk][0]}|{ReviewQuery()}"  # no question, terms
    shared = services._settled_digest(key, SEMANTIC_SETTINGS, labels)
    assert mine.fingerprint == services._fingerprint(shared, {})
    offered = next_record(review=world.review, stage=Stage.TITLE_ABSTRACT, reviewer=world.reviewer)
    assert offered in relevant


@needs_extra
def test_a_new_record_is_embedded_and_old_vectors_are_kept(world, settings):
    settings.RANKING_SEMANTIC = True
    relevant, irrelevant = make_corpus(world.review)
    embeddings.embed_review(world.review.pk)
    before = dict(RecordEmbedding.objects.values_list("record_id", "vector"))

    from tests.factories import make_batch, make_record

    extra = make_record(make_batch(world.review), title="Naltrexone for pain", abstract="")
    assert embeddings.missing_ids(world.review.pk) == [extra.pk]
    assert embeddings.embed_review(world.review.pk) == 1
    after = dict(RecordEmbedding.objects.values_list("record_id", "vector"))
    assert {k: bytes(v) for k, v in before.items()} == {
        k: bytes(v) for k, v in after.items() if k != extra.pk
    }


def _inputs_sentence(client, review) -> str:
    from django.urls import reverse

    page = client.get(reverse("ranking", args=[review.pk])).content.decode()
    start = page.index('data-testid="ranking-inputs"')
    return page[start : page.index("</span>", start)]


def test_the_ranking_page_says_what_the_model_reads(world, client_for, settings):
    said = _inputs_sentence(client_for(world.lead), world.review)
    assert "words and word pairs" in said and "meaning" not in said
    assert "does not read authors, journals, years or keywords" in said
    assert "research question, the include highlight terms and the" in said
    assert "papers you know are relevant</a>" in said  # the known relevant page


@needs_extra
def test_the_ranking_page_mentions_meaning_when_the_block_is_on(world, client_for, settings):
    settings.RANKING_SEMANTIC = True
    said = _inputs_sentence(client_for(world.lead), world.review)
    assert "words and word pairs" in said and "overall meaning" in said
