"""Administration from the shell: createreview, addmember, demo."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from reviewapp.models import Invitation, Membership, Review, Role
from tests.conftest import make_user


def test_createreview_prints_the_new_id(db, capsys):
    make_user("ann")
    call_command("createreview", "My review", "--owner", "ann")
    review_id = int(capsys.readouterr().out.strip())
    review = Review.objects.get(pk=review_id)
    assert review.title == "My review"
    assert review.memberships.get().role == Role.OWNER


def test_createreview_refuses_an_unknown_owner(db):
    with pytest.raises(CommandError, match="no user"):
        call_command("createreview", "X", "--owner", "nobody")


def test_addmember_adds_with_role(world, capsys):
    make_user("ben")
    call_command("addmember", str(world.review.pk), "ben", "--role", "lead")
    assert Membership.objects.get(user__username="ben").role == Role.LEAD
    assert "added ben as lead" in capsys.readouterr().out


def test_addmember_tells_the_new_member_by_mail(world, capsys, django_capture_on_commit_callbacks):
    """From the shell nobody is `added_by`: the mail must still go out (it used to crash
    after the membership was saved)."""
    make_user("ben", first_name="Ben")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("addmember", str(world.review.pk), "ben", "--role", "lead")
        call_command("addmember", str(world.review.pk), "newcomer@uni.edu")
    assert Membership.objects.get(user__username="ben").role == Role.LEAD
    out = capsys.readouterr().out
    assert "added ben as lead" in out and "invited newcomer@uni.edu as reviewer" in out
    added, invited = mail.outbox
    assert added.to == ["ben@example.org"] and invited.to == ["newcomer@uni.edu"]
    assert "You were added to the systematic review “Low-dose naltrexone" in added.body
    assert "You are invited to join the systematic review" in invited.body
    assert Invitation.objects.get(email="newcomer@uni.edu").sent_at is not None


def test_addmember_refuses_an_unknown_review(db):
    make_user("ben")
    with pytest.raises(CommandError, match="no review"):
        call_command("addmember", "999", "ben")


def test_demo_is_safe_to_run_twice(db, capsys):
    call_command("demo")
    first = capsys.readouterr().out
    call_command("demo")
    second = capsys.readouterr().out
    assert Review.objects.count() == 1
    review = Review.objects.get()
    assert {m.user.username: m.role for m in review.memberships.select_related("user")} == {
        "owner": "owner",
        "lead": "lead",
        "reviewer1": "reviewer",
        "reviewer2": "reviewer",
    }
    assert "created" in first and "already there" in second
    # The update round: records found again are linked, the new ones screened, one included.
    from screening.selectors.prisma import review_flow
    from screening.selectors.search_log import round_counts

    assert review.search_rounds.count() == 2
    assert round_counts(review=review)[2]["found_again"] == 40
    update, violations = review_flow(review=review, round_number=2)
    assert violations == [] and update.new_studies == 1
    assert update.total_studies == update.previous_studies + 1
    # The demo's extraction agrees with the papers it is about (their titles, years, authors).
    from extraction.models import Sheet

    sheets = Sheet.objects.filter(study__review=review, instrument="extraction")
    assert sheets.count() == 4
    for sheet in sheets:
        record = sheet.study.reports.get().record
        assert sheet.values["title"] == record.title
        assert sheet.values["publication_date"] == str(record.year)
        assert sheet.values["authors"].split(" ")[0] == record.authors[0].split(",")[0]
    password = second.split("\n  reviewer1")[1].split()[0]
    from django.contrib.auth import authenticate

    assert authenticate(username="reviewer1", password=password) is not None


def test_demo_prints_the_real_address_and_says_when_it_reset_passwords(db, capsys):
    call_command("demo", url="http://0.0.0.0:8123")
    first = capsys.readouterr().out
    assert "Log in at http://0.0.0.0:8123/ with one of:" in first
    assert "passwords were reset" not in first
    call_command("demo")
    second = capsys.readouterr().out
    assert "passwords were reset (lead, owner, reviewer1, reviewer2)" in second
    assert "http://127.0.0.1:8000/" in second  # SITE_URL when no address is given
