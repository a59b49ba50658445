"""Cold start in the app: a useful queue order before a screener's model can be fitted.

Until a screener's labels hold an include and an exclude, their queue is ordered by
similarity to what the lead has said about the review: its research question, the
lead's "include" highlight terms and the records of the papers the lead pasted as
already known relevant (`review_query`; `services.known_relevant`). Once a model
exists, its scores are blended with that similarity while includes are few
(`cold_start.cold_start_scores`: the query weighs 1 / (1 + includes)).

Every input is review-level and the same for every screener: the question and terms
every member sees, and the known relevant papers, which are the lead's prior knowledge
about the literature, not a vote on a record (they never become a label or a decision).
So no screener's order reveals anyone's vote. With no question, no highlight terms and
no known paper the queue keeps its stable random order until the model exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reviewapp.models import Review
from screening.ranking.cold_start import query_scores
from screening.ranking.model import Features
from screening.services.known_relevant import known_relevant_ids
from screening.services.settings import screening_settings_for


@dataclass(frozen=True)
class ReviewQuery:
    """What a cold start ranks by: the query text and the known relevant records.

    False when both are empty (the queue keeps its random order). Its ``str`` names
    both, so a model's fingerprint changes (and it is refitted) when either does.
    """

    text: str = ""
    known: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.text or self.known)

    def __str__(self) -> str:
        return f"{self.text}|known={','.join(map(str, self.known))}"


def review_query(review: Review) -> ReviewQuery:
    """The research question, the include highlight terms and the known relevant records."""
    terms = screening_settings_for(review).highlight_include or []
    text = " ".join([review.question or "", *(str(t) for t in terms)]).strip()
    return ReviewQuery(text=text, known=known_relevant_ids(review))


def review_query_scores(features: Features, query: ReviewQuery | str) -> np.ndarray:
    """Similarity of every row of `features` to the query (all zero: it matches nothing)."""
    if isinstance(query, str):
        return query_scores(features, query)
    return query_scores(features, query.text, query.known)
