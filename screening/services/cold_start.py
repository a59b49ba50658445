"""Cold start in the app: a useful queue order before a screener's model can be fitted.

Until a screener's labels hold an include and an exclude, their queue is ordered by
similarity to what the whole team sees about the review: its research question and the
lead's "include" highlight terms (`review_query`). Once a model exists, its scores are
blended with that similarity while includes are few (`cold_start.cold_start_scores`:
the query weighs 1 / (1 + includes)). Both inputs are review-level text every member
sees, so no screener's order reveals anyone's vote. With no question and no highlight
terms the queue keeps its stable random order until the model exists, as before.
"""

from __future__ import annotations

import numpy as np

from reviewapp.models import Review
from screening.ranking.cold_start import cold_start_scores, query_scores
from screening.ranking.model import Features, RankingModel
from screening.services.settings import screening_settings_for


def review_query(review: Review) -> str:
    """The text a cold start ranks by: the research question and the include highlight terms."""
    terms = screening_settings_for(review).highlight_include or []
    return " ".join([review.question or "", *(str(t) for t in terms)]).strip()


def query_order_scores(
    features: Features, query: str, record_ids: list[int]
) -> dict[int, float] | None:
    """Similarity of each record to the query, or None when the query matches nothing."""
    scores = query_scores(features, query)
    if not scores.any():
        return None
    rows = features.rows(record_ids)
    return dict(zip(record_ids, (float(v) for v in scores[rows]), strict=True))


def blended_scores(
    features: Features, model: RankingModel, query: str, record_ids: list[int]
) -> dict[int, float]:
    """The model's scores, blended with the query's while the model has few includes."""
    n_include = sum(model.labelled.values())
    model_scores = model._raw_scores(features) + model.intercept
    base = query_scores(features, query) if query else None
    if base is None or not base.any():
        values = model_scores
    else:
        values = cold_start_scores(base, model_scores, n_include)
    rows = features.rows(record_ids)
    return dict(zip(record_ids, (float(v) for v in np.asarray(values)[rows]), strict=True))
