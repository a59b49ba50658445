"""Random sequences of imports, update search rounds, merges, unmerges, votes,
resolutions, overrules and full-text steps: every PRISMA invariant holds after every
step, for the whole review and for each round, including the duplicates box's two lines
for update rounds (within a round + found again = duplicates), recounted here record by
record."""

import contextlib
import itertools

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewapp.services import create_review
from screening.models import Record, RecordState
from screening.selectors.prisma import OTHER_KINDS, review_flow
from screening.services import search_log
from tests.factories import make_batch, make_record
from tests.prisma_app.operations import apply_screening_op

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


def _apply(review, users, op, a, b, verdict):
    if op == "round":
        search_log.add_round(review=review)
    elif op == "import":
        batch = make_batch(
            review,
            source_name=["PubMed", "Embase", "CINAHL", "Reference lists"][a % 4],
            # Citation searching feeds the other-methods arm, whose duplicates are not
            # in the duplicates box (nor in its two lines).
            source_kind="citation" if a % 4 == 3 else "database",
            search_round=search_log.latest_round(review),
        )
        for _ in range(1 + a % 4):
            make_record(batch)
    else:
        apply_screening_op(review, users, op, a, b, verdict)


def _duplicate_lines(review) -> dict[int, tuple[int, int]]:
    """Per round: (duplicates within a round, found again), recounted record by record:
    a main-arm duplicate is found again when its group's primary came from an earlier round."""

    def round_of(record) -> int:
        search_round = record.batch.search_round
        return search_round.number if search_round else 1

    lines: dict[int, list[int]] = {}
    duplicates = Record.objects.filter(review=review, state=RecordState.DUPLICATE).select_related(
        "batch__search_round", "duplicate_group__primary__batch__search_round"
    )
    for record in duplicates:
        if record.batch.source_kind in OTHER_KINDS:
            continue
        number = round_of(record)
        primary = record.duplicate_group.primary
        again = round_of(primary) < number
        lines.setdefault(number, [0, 0])[1 if again else 0] += 1
    return {number: (within, again) for number, (within, again) in lines.items()}


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
        main = Record.objects.filter(review=review).exclude(batch__source_kind__in=OTHER_KINDS)
        assert flow.records_identified + flow.other_results == total
        assert flow.records_identified == main.count()
        lines = _duplicate_lines(review)
        # The box splits in two once a record was found in an update round.
        has_updates = Record.objects.filter(
            review=review, batch__search_round__number__gt=1
        ).exists()
        assert flow.has_round_duplicates == has_updates
        if has_updates:
            assert flow.duplicates_within_round == sum(w for w, _ in lines.values())
            assert flow.duplicates_found_again == sum(a for _, a in lines.values())
        identified = previous = 0
        for number in review.search_rounds.order_by("number").values_list("number", flat=True):
            round_flow, violations = review_flow(review=review, round_number=number)
            assert violations == [], (op, number, violations)
            assert round_flow.previous_studies == previous, (op, number)
            assert round_flow.total_studies == previous + round_flow.new_studies
            # An update round's diagram always has the two lines; the first round's none
            # (nothing can be found again in it).
            assert round_flow.has_round_duplicates == (number > 1), (op, number)
            if number > 1:
                within, again = lines.get(number, (0, 0))
                assert round_flow.duplicates_within_round == within, (op, number)
                assert round_flow.duplicates_found_again == again, (op, number)
                assert round_flow.duplicates == within + again
            identified += round_flow.records_identified + round_flow.other_results
            previous = round_flow.total_studies
        assert identified == total
        assert previous == flow.total_studies
        assert (
            flow.records_screened == main.count() - main.filter(state=RecordState.DUPLICATE).count()
        )
