from screening.demo import add_demo_screening
from screening.models import OutcomeStatus, RecordState, StageOutcome, Vote
from tests.conftest import make_user
from tests.screening.factories import make_records


def test_it_adds_demo_votes_once(world):
    make_records(world.review, 30)
    users = {"reviewer1": make_user("reviewer1"), "reviewer2": make_user("reviewer2")}
    add_demo_screening(review=world.review, users=users)
    votes = Vote.objects.count()
    add_demo_screening(review=world.review, users=users)
    assert Vote.objects.count() == votes > 0
    assert StageOutcome.objects.filter(stage="ta", status=OutcomeStatus.CONFLICT).exists()
    assert StageOutcome.objects.filter(stage="ft", status=OutcomeStatus.CONFLICT).exists()
    assert world.review.records.filter(state=RecordState.INCLUDED).exists()
    assert world.review.records.filter(state=RecordState.TA_EXCLUDED).exists()
