"""reviewapp/tasks.py: mail tasks are keyed by ids and safe to run twice."""

import socket

import pytest
from celery.exceptions import Retry
from django.core import mail

from reviewapp import services
from reviewapp.models import Invitation, Role
from reviewapp.tasks import send_added_email, send_invitation_email
from tests.conftest import make_user


def _invite(world, email="stranger@uni.edu", by=None) -> Invitation:
    return Invitation.objects.create(
        review=world.review, email=email, role=Role.LEAD, invited_by=by or world.owner
    )


def _closed_port() -> int:
    """A local port nothing listens on: connecting there is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_redelivered_invitation_task_sends_one_mail(world):
    invitation = _invite(world)
    assert send_invitation_email.delay(invitation.pk).get() is True
    assert send_invitation_email.delay(invitation.pk).get() is False  # the same task again
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["stranger@uni.edu"]
    assert f"/invitations/{invitation.token}/" in mail.outbox[0].body
    assert "olivia invites you to join" in mail.outbox[0].body
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None


def test_an_accepted_or_missing_invitation_sends_nothing(world):
    invitation = _invite(world)
    services.accept_invitation(invitation=invitation, user=make_user("sam", email=invitation.email))
    assert send_invitation_email.delay(invitation.pk).get() is False
    assert send_invitation_email.delay(invitation.pk + 1000).get() is False
    assert mail.outbox == []


def test_a_failed_send_stays_due_and_the_next_run_sends_it(world, settings):
    invitation = _invite(world)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        _closed_port(),
        2,
    )
    with pytest.raises(Retry) as failed:  # a worker retries it later, with backoff
        send_invitation_email.delay(invitation.pk)
    assert isinstance(failed.value.exc, ConnectionRefusedError)
    assert Invitation.objects.get(pk=invitation.pk).sent_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_invitation_email.delay(invitation.pk).get() is True
    assert len(mail.outbox) == 1
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None


def test_inviting_the_same_address_again_sends_a_new_mail_once(
    world, django_capture_on_commit_callbacks
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.add_member(
                review=world.review, who="stranger@uni.edu", role=Role.LEAD, added_by=world.owner
            )
    invitation = Invitation.objects.get()
    assert send_invitation_email.delay(invitation.pk).get() is False  # a redelivery
    assert len(mail.outbox) == 2
    assert {m.body for m in mail.outbox} == {mail.outbox[0].body}


def test_mails_read_well_when_nobody_acted(world):
    """A shell command adds and invites with no user; a deleted user leaves None too."""
    invitation = Invitation.objects.create(
        review=world.review, email="stranger@uni.edu", role=Role.VIEWER, invited_by=None
    )
    member = services.add_member(
        review=world.review, who=make_user("ben").username, role=Role.REVIEWER, added_by=None
    ).membership
    assert send_invitation_email.delay(invitation.pk).get() is True
    assert send_added_email.delay(member.pk).get() is True
    invited, added = (m.body for m in mail.outbox)
    assert "You are invited to join the systematic review" in invited
    assert "You were added to the systematic review" in added
    assert "None" not in invited + added
