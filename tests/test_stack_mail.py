"""Against the real stack: the invitation mail goes through Redis to a Celery worker."""

import pytest

from reviewapp import services
from reviewapp.models import Invitation, Role
from tests.services_fixtures import wait_for


@pytest.mark.services
def test_the_worker_sends_the_invitation_mail(worker, mail_dir, django_user_model):
    owner = django_user_model.objects.create_user(username="owner", password="x")
    review = services.create_review(owner=owner, title="Stack review")
    invitation = services.add_member(
        review=review, who="invitee@uni.edu", role=Role.LEAD, added_by=owner
    ).invitation

    def mail_arrived():
        return [p for p in mail_dir.iterdir() if "invitee@uni.edu" in p.read_text()]

    files = wait_for(mail_arrived, what="the invitation mail")
    assert f"/invitations/{invitation.token}/" in files[0].read_text()
    sent = wait_for(
        lambda: Invitation.objects.get(pk=invitation.pk).sent_at, what="sent_at set by the worker"
    )
    assert sent is not None
