"""Login protection: lockout per username and IP, password reset by e-mail, invitations
that expire and open only for the invited address, API token throttling."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from reviewapp import services
from reviewapp.models import Invitation, Membership, Role
from tests.conftest import PASSWORD, make_user


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_wrong_passwords_lock_out_that_user_from_that_address(client, world, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert _login(client, "rita", "wrong").status_code == 200  # the form again
    assert _login(client, "rita", "wrong").status_code == 429  # the limit-th failure
    locked = _login(client, "rita", PASSWORD)
    assert locked.status_code == 429 and "Too many failed log-in attempts" in locked.text
    assert "_auth_user_id" not in client.session
    # Another user from the same address, and the same user elsewhere, still log in.
    assert _login(client, "rafael", PASSWORD).status_code == 302
    client.logout()
    assert _login(client, "rita", PASSWORD, ip="10.0.0.2").status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "rita", "wrong")
    assert _login(client, "rita", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "rita", "wrong")
    assert _login(client, "rita", PASSWORD).status_code == 302


def test_password_reset_by_email(client, world):
    response = client.post(reverse("password_reset"), {"email": "rita@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["rita@example.org"]
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    page = client.get(link, follow=True)
    assert page.status_code == 200 and "Choose a new password" in page.text
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a new long passphrase 42", "new_password2": "a new long passphrase 42"},
    )
    assert done.status_code == 302
    world.reviewer.refresh_from_db()
    assert world.reviewer.check_password("a new long passphrase 42")
    assert "expired or was already used" in client.get(link, follow=True).text


def test_password_reset_says_nothing_about_unknown_addresses(client, world):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and not mail.outbox


@pytest.fixture
def invitation(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.invite_by_email(
            review=world.review, email="New.Person@example.org", role=Role.REVIEWER,
            invited_by=world.owner,
        )  # fmt: skip


def test_an_invitation_signs_up_with_the_invited_address_only(client, world, invitation):
    url = reverse("invitation_accept", args=[invitation.token])
    response = client.post(
        url,
        {
            "username": "newperson",
            "email": "attacker@example.org",
            "password1": "a long enough passphrase 7",
            "password2": "a long enough passphrase 7",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(review=world.review, user__username="newperson")
    assert membership.user.email == "New.Person@example.org"


def test_another_account_cannot_accept_an_invitation(client_for, world, invitation):
    client = client_for(world.outsider)
    url = reverse("invitation_accept", args=[invitation.token])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 403 and "sent to another address" in response.text
    assert not Membership.objects.filter(review=world.review, user=world.outsider).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_the_invited_address_accepts_when_signed_in(client_for, world, invitation):
    user = make_user("newperson", email="new.person@EXAMPLE.org")
    response = client_for(user).post(reverse("invitation_accept", args=[invitation.token]))
    assert response.status_code == 302
    assert Membership.objects.get(review=world.review, user=user).role == Role.REVIEWER


def test_an_invitation_expires_and_a_new_one_can_be_sent(
    client, world, invitation, settings, django_capture_on_commit_callbacks
):
    old = timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS, minutes=1)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=old)
    response = client.get(reverse("invitation_accept", args=[invitation.token]))
    assert response.status_code == 410 and "expired" in response.text
    invitation.refresh_from_db()
    with pytest.raises(Exception, match="expired"):
        services.accept_invitation(invitation=invitation, user=world.outsider)
    with django_capture_on_commit_callbacks(execute=True):
        fresh = services.invite_by_email(
            review=world.review, email="new.person@example.org", role=Role.REVIEWER,
            invited_by=world.owner,
        )  # fmt: skip
    assert fresh.token != invitation.token and not fresh.is_expired
    assert client.get(reverse("invitation_accept", args=[fresh.token])).status_code == 200


def test_api_token_requests_are_throttled(client, world, settings):
    settings.API_TOKEN_RATE = "3/minute"
    # Earlier tests' requests by a user with the same id this minute would count too.
    cache.clear()
    token = Token.objects.create(user=world.reviewer)
    url = reverse("api:review_list")
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    statuses = [client.get(url, **headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # The browser's session is not throttled.
    client.force_login(world.reviewer)
    assert all(client.get(url).status_code == 200 for _ in range(5))
