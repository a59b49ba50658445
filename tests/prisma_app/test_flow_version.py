"""The live PRISMA diagram never goes stale (issue 11, bug 3): over random sequences of the
operations the invariant test uses — and imports, study links, reason renames, stops —
every operation that changes any PRISMA number also changes the flow version."""

import contextlib
import dataclasses
import itertools

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extraction.models import Study
from extraction.services.studies import ensure_studies, link_studies, unlink_report
from reviewapp.services import create_review
from screening.models import (
    ExclusionReason,
    ImportBatch,
    RecordState,
    Stage,
    StageOutcome,
    StoppingDecision,
)
from screening.selectors.prisma import flow_version, review_flow
from screening.services.imports import create_import, delete_import
from screening.services.settings import update_reason
from screening.services.stopping import stop_screening, undo_stop
from tests.factories import make_batch, make_record
from tests.prisma_app.operations import apply_screening_op, pick

OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "import",
                "import",
                "delete_import",
                "merge",
                "unmerge",
                "vote",
                "vote",
                "vote",
                "vote",
                "resolve",
                "overrule",
                "pdf",
                "lost",
                "studies",
                "link",
                "unlink",
                "rename_reason",
                "stop",
                "unstop",
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
_files = itertools.count()


def _ris(n: int) -> bytes:
    unique = next(_files)
    return "".join(
        f"TY  - JOUR\nTI  - Trial {unique} number {i} of low-dose naltrexone\n"
        f"AU  - Author{unique}, A\nPY  - 20{10 + i % 10}\nER  - \n\n"
        for i in range(n)
    ).encode()


def _apply(review, users, op, a, b, verdict):
    lead = users[0]
    if op == "import":
        create_import(
            review=review,
            upload=SimpleUploadedFile(f"f{a}.ris", _ris(1 + a % 3)),
            source_name=["PubMed", "Embase", "CINAHL"][a % 3],
            uploaded_by=lead,
        )
    elif op == "delete_import":
        batch = pick(ImportBatch.objects.filter(review=review), a)
        if batch:
            delete_import(batch=batch, actor=lead, confirmed=True)
    elif op == "studies":
        ensure_studies(review=review)
    elif op == "link":
        studies = list(Study.objects.filter(review=review).order_by("pk"))
        if len(studies) >= 2:
            target = studies[a % len(studies)]
            other = studies[b % len(studies)]
            if other.pk != target.pk:
                link_studies(review=review, target=target, others=[other], by=lead)
    elif op == "unlink":
        study = pick(Study.objects.filter(review=review), a)
        if study and study.reports.count() > 1:
            report = pick(study.reports.all(), b)
            unlink_report(review=review, study=study, record_id=report.record_id, by=lead)
    elif op == "rename_reason":
        reason = pick(ExclusionReason.objects.filter(review=review, stage=Stage.FULL_TEXT), a)
        if reason:
            update_reason(reason=reason, label=f"{reason.label.split(' #')[0]} #{a}")
    elif op == "stop":
        stop_screening(review=review, by=lead, rule="lead", note="Property test: stop anyway.")
    elif op == "unstop":
        decision = pick(StoppingDecision.objects.filter(review=review, undone_at=None), a)
        if decision:
            undo_stop(decision=decision, by=lead)
    else:
        apply_screening_op(review, users, op, a, b, verdict)


def _seed(review) -> None:
    """A review part-way through: records at every step, studies, a full-text exclusion."""
    batch = make_batch(review, source_name="PubMed")
    states = [RecordState.TA] * 3 + [RecordState.FT_RETRIEVAL, RecordState.FT]
    states += [RecordState.INCLUDED] * 3 + [RecordState.FT_EXCLUDED]
    reason = review.exclusion_reasons.filter(stage=Stage.FULL_TEXT).first()
    for state in states:
        record = make_record(batch, state=state)
        if state in (RecordState.INCLUDED, RecordState.FT_EXCLUDED):
            excluded = state == RecordState.FT_EXCLUDED
            StageOutcome.objects.create(
                review=review,
                record=record,
                stage=Stage.FULL_TEXT,
                votes=2,
                status="settled",
                decision="exclude" if excluded else "include",
                reason=reason if excluded else None,
                settled_by="votes",
            )
    ensure_studies(review=review)


def _numbers(review) -> dict:
    flow, _violations = review_flow(review=review)
    return dataclasses.asdict(flow)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_every_change_of_a_prisma_number_changes_the_flow_version(
    world, django_capture_on_commit_callbacks, ops
):
    review = create_review(owner=world.lead, title=f"version property {next(_names)}")
    users = [world.lead, world.reviewer, world.reviewer2]
    for user in users[1:]:
        review.memberships.create(user=user, role="reviewer")
    _seed(review)
    for op, a, b, verdict in ops:
        before, version = _numbers(review), flow_version(review.pk)
        with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(ValidationError):
            _apply(review, users, op, a, b, verdict)
        after = _numbers(review)
        if after != before:
            changed = sorted(k for k in after if after[k] != before[k])
            assert flow_version(review.pk) != version, (op, changed)
