"""Members: add by username or e-mail (invitation), change role, remove, leave."""

import pytest
from django.core import mail

from reviewapp.models import Invitation, Membership, Role
from tests.conftest import make_user


@pytest.fixture
def owner_client(client_for, world):
    return client_for(world.owner)


def test_it_adds_a_member_by_username_and_tells_them(
    owner_client, world, django_capture_on_commit_callbacks
):
    newcomer = make_user("nina")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"/reviews/{world.review.pk}/members/add/", {"who": "nina", "role": "reviewer"}
        )
    assert response.status_code == 302
    assert Membership.objects.get(review=world.review, user=newcomer).role == Role.REVIEWER
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina@example.org"]
    assert world.review.title in mail.outbox[0].subject


def test_it_adds_an_existing_user_by_email(owner_client, world):
    newcomer = make_user("nina", email="Nina@Example.org")
    owner_client.post(
        f"/reviews/{world.review.pk}/members/add/", {"who": "nina@example.org", "role": "viewer"}
    )
    assert Membership.objects.get(review=world.review, user=newcomer).role == Role.VIEWER
    assert not Invitation.objects.exists()


def test_it_invites_an_unknown_email(owner_client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            f"/reviews/{world.review.pk}/members/add/", {"who": "stranger@uni.edu", "role": "lead"}
        )
    invitation = Invitation.objects.get(email="stranger@uni.edu")
    assert invitation.role == Role.LEAD and invitation.sent_at is not None
    assert len(mail.outbox) == 1
    assert f"/invitations/{invitation.token}/" in mail.outbox[0].body


def test_an_invitee_signs_up_and_joins(client, world):
    invitation = Invitation.objects.create(
        review=world.review, email="s@uni.edu", role=Role.LEAD, invited_by=world.owner
    )
    response = client.post(
        f"/invitations/{invitation.token}/",
        {
            "username": "sam",
            "email": "s@uni.edu",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(review=world.review, user__username="sam")
    assert membership.role == Role.LEAD
    invitation.refresh_from_db()
    assert invitation.accepted_by == membership.user
    assert client.get(f"/invitations/{invitation.token}/").status_code == 404  # used once only


def test_it_rejects_an_unknown_username(owner_client, world):
    response = owner_client.post(
        f"/reviews/{world.review.pk}/members/add/",
        {"who": "ghost", "role": "reviewer"},
        follow=True,
    )
    assert "Nobody here has the username" in response.content.decode()
    assert world.review.memberships.count() == 5


def test_it_changes_a_role(owner_client, world):
    target = world.membership(world.reviewer)
    owner_client.post(f"/reviews/{world.review.pk}/members/{target.pk}/role/", {"role": "lead"})
    target.refresh_from_db()
    assert target.role == Role.LEAD


def test_the_last_owner_cannot_step_down_or_leave(owner_client, world):
    me = world.membership(world.owner)
    owner_client.post(f"/reviews/{world.review.pk}/members/{me.pk}/role/", {"role": "viewer"})
    response = owner_client.post(f"/reviews/{world.review.pk}/leave/", follow=True)
    me.refresh_from_db()
    assert me.role == Role.OWNER
    assert "last owner cannot leave" in response.content.decode()


def test_a_member_leaves(client_for, world):
    response = client_for(world.reviewer).post(f"/reviews/{world.review.pk}/leave/")
    assert response.status_code == 302
    assert not Membership.objects.filter(review=world.review, user=world.reviewer).exists()


def test_the_owner_removes_a_member(owner_client, world):
    target = world.membership(world.viewer)
    owner_client.post(f"/reviews/{world.review.pk}/members/{target.pk}/remove/")
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_a_lead_cannot_add_members(client_for, world):
    make_user("nina")
    response = client_for(world.lead).post(
        f"/reviews/{world.review.pk}/members/add/", {"who": "nina", "role": "owner"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user__username="nina").exists()


def test_members_of_another_review_cannot_be_touched(owner_client, world):
    foreign = Membership.objects.get(review=world.other_review)
    response = owner_client.post(f"/reviews/{world.review.pk}/members/{foreign.pk}/remove/")
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()
