"""The demo extraction: seed form, two extractors with one difference, a consensus,
risk-of-bias ratings; running it twice changes nothing."""

from extraction.demo import add_demo_extraction
from extraction.models import Consensus, FormVersion, Sheet, SheetEvent
from tests.extraction.factories import included_record, make_batch


def test_the_demo_is_complete_and_idempotent(world):
    batch = make_batch(world.review)
    included_record(world.review, batch=batch)
    included_record(world.review, batch=batch)
    users = {"lead": world.lead, "reviewer1": world.reviewer, "reviewer2": world.reviewer2}
    add_demo_extraction(review=world.review, users=users)
    counts = (FormVersion.objects.count(), Sheet.objects.count(), SheetEvent.objects.count())
    assert counts[0] == 1 and counts[1] == 8
    assert Sheet.objects.filter(submitted_at__isnull=True).count() == 0
    assert Consensus.objects.get(instrument="extraction").values == {"mean_age": 45}
    add_demo_extraction(review=world.review, users=users)
    assert (
        FormVersion.objects.count(),
        Sheet.objects.count(),
        SheetEvent.objects.count(),
    ) == counts
