"""Random sequences of imports, update search rounds, merges, unmerges, votes,
resolutions, overrules and full-text steps: every PRISMA invariant holds after every
step, for the whole review and for each round."""

import contextlib
import itertools

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewapp.services import create_review
from screening.models import CandidatePair, Record, RecordState, Stage, StageOutcome
from screening.selectors.prisma import review_flow
from screening.services import dedupe as dedupe_services
from screening.services import search_log
from screening.services.conflicts import decide_as_lead
from screening.services.fulltext import mark_not_retrieved
from screening.services.votes import cast_vote
from tests.factories import make_batch, make_record
from tests.screening.factories import attach_pdf

OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "import",
                "round",
                "merge",
                "unmerge",
                "vote",
                "vote",
                "vote",
                "resolve",
                "overrule",
                "pdf",
                "lost",
            ]
        ),
        st.integers(0, 10_000),
        st.integers(0, 10_000),
        st.sampled_from(["include", "exclude", "maybe"]),
    ),
    min_size=1,
    max_size=25,
)
_names = itertools.count()


def _pick(queryset, n):
    items = list(queryset.order_by("pk"))
    return items[n % len(items)] if items else None


def _apply(review, users, op, a, b, verdict):
    records = Record.objects.filter(review=review)
    if op == "round":
        search_log.add_round(review=review)
    elif op == "import":
        batch = make_batch(
            review,
            source_name=["PubMed", "Embase", "CINAHL"][a % 3],
            search_round=search_log.latest_round(review),
        )
        for _ in range(1 + a % 4):
            make_record(batch)
    elif op == "merge":
        first, second = _pick(records, a), _pick(records, b)
        if first and second and first.pk != second.pk:
            low, high = sorted([first, second], key=lambda r: r.pk)
            pair, _ = CandidatePair.objects.get_or_create(
                review=review,
                record_a=low,
                record_b=high,
                defaults={"score": 0.9, "automatic": False},
            )
            if pair.status == "pending":
                dedupe_services.confirm_pair(pair=pair, actor=users[0])
    elif op == "unmerge":
        record = _pick(records.filter(duplicate_group__isnull=False), a)
        if record:
            dedupe_services.unmerge(review=review, record_ids=[record.pk], actor=users[0])
    elif op == "vote":
        record = _pick(records.filter(state__in=[RecordState.TA, RecordState.FT]), a)
        if record:
            stage = Stage.TITLE_ABSTRACT if record.state == RecordState.TA else Stage.FULL_TEXT
            reason = (
                review.exclusion_reasons.filter(stage=stage).first()
                if verdict == "exclude"
                else None
            )
            if stage == Stage.FULL_TEXT and verdict == "maybe":
                verdict = "include"
            cast_vote(
                record=record,
                stage=stage,
                reviewer=users[1 + b % 2],
                verdict=verdict,
                reason=reason.pk if reason else None,
            )
    elif op in ("resolve", "overrule"):
        outcome = _pick(
            StageOutcome.objects.filter(
                review=review, status="conflict" if op == "resolve" else "settled"
            ),
            a,
        )
        if outcome:
            final = "exclude" if verdict == "exclude" else "include"
            reason = (
                review.exclusion_reasons.filter(stage=outcome.stage).first()
                if final == "exclude"
                else None
            )
            decide_as_lead(
                record=outcome.record,
                stage=outcome.stage,
                lead=users[0],
                verdict=final,
                reason=reason.pk if reason else None,
            )
    elif op == "pdf":
        record = _pick(records.filter(state=RecordState.FT_RETRIEVAL), a)
        if record:
            attach_pdf(record)
            Record.objects.filter(pk=record.pk).update(state=RecordState.FT)
    elif op == "lost":
        record = _pick(records.filter(state=RecordState.FT_RETRIEVAL), a)
        if record:
            mark_not_retrieved(record=record, reason="Not held by any library", by=users[0])


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_every_invariant_holds_after_every_step(world, ops):
    review = create_review(owner=world.lead, title=f"property {next(_names)}")
    users = [world.lead, world.reviewer, world.reviewer2]
    for user in users[1:]:
        review.memberships.create(user=user, role="reviewer")
    for op, a, b, verdict in ops:
        # A refused step (e.g. overruling after full-text votes) must change nothing.
        with contextlib.suppress(ValidationError):
            _apply(review, users, op, a, b, verdict)
        flow, violations = review_flow(review=review)
        assert violations == [], (op, violations)
        total = Record.objects.filter(review=review).count()
        assert flow.records_identified == total
        identified = previous = 0
        for number in review.search_rounds.order_by("number").values_list("number", flat=True):
            round_flow, violations = review_flow(review=review, round_number=number)
            assert violations == [], (op, number, violations)
            assert round_flow.previous_studies == previous, (op, number)
            assert round_flow.total_studies == previous + round_flow.new_studies
            identified += round_flow.records_identified
            previous = round_flow.total_studies
        assert identified == total
        assert previous == flow.total_studies
        assert (
            flow.records_screened
            == total - Record.objects.filter(review=review, state=RecordState.DUPLICATE).count()
        )
