"""Discussion per record: blinded like notes, edits within 10 minutes, deletes by the
author or a lead, everything in the history, @mentions mailed once and never through
blinding."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from screening.models import Comment, Mention, RecordState, VoteAction, VoteEvent
from screening.services.comments import add_comment, delete_comment, edit_comment
from screening.services.votes import cast_vote
from screening.tasks.comments import notify_mention
from tests.factories import make_batch, make_record


@pytest.fixture
def record(world):
    return make_record(make_batch(world.review), title="A trial")


def thread(client, world, record) -> list[str]:
    response = client.get(reverse("api:record_comments", args=[world.review.pk, record.pk]))
    assert response.status_code == 200, response.content
    return [c["text"] for c in response.json()]


def test_on_an_unsettled_record_a_screener_reads_only_their_own(world, record, client_for):
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    add_comment(record=record, author=world.reviewer, text="rita thinks it is an RCT")
    for member in (world.reviewer2, world.lead, world.viewer):
        client = client_for(member)
        assert thread(client, world, record) == []
        page = client.get(reverse("record_comments", args=[world.review.pk, record.pk]))
        assert "rita thinks" not in page.content.decode()
    screen = client_for(world.reviewer2).get(
        reverse("screen_record", args=[world.review.pk, "ta", record.pk])
    )
    assert "rita thinks" not in screen.content.decode()
    assert thread(client_for(world.reviewer), world, record) == ["rita thinks it is an RCT"]
    # The lead's record page hides it from the history too.
    detail = client_for(world.lead).get(reverse("record_detail", args=[world.review.pk, record.pk]))
    assert "comment add" not in detail.content.decode()

    # In conflict: the lead reads it, the other reviewer still not.
    cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="exclude")
    assert thread(client_for(world.lead), world, record) == ["rita thinks it is an RCT"]
    assert thread(client_for(world.reviewer2), world, record) == []


def test_on_a_settled_record_the_team_reads_the_discussion(world, record, client_for):
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="exclude")
    add_comment(record=record, author=world.reviewer, text="not a trial")
    cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="exclude")
    record.refresh_from_db()
    assert record.state == RecordState.TA_EXCLUDED
    assert thread(client_for(world.reviewer2), world, record) == ["not a trial"]
    assert thread(client_for(world.viewer), world, record) == []  # viewers: never a note


def test_edit_within_ten_minutes_delete_by_author_or_lead_and_the_history(world, record):
    comment = add_comment(record=record, author=world.reviewer, text="first")
    edit_comment(comment, by=world.reviewer, text="second")
    assert comment.text == "second" and comment.versions[0]["text"] == "first"
    with pytest.raises(ValidationError, match="Only its author"):
        edit_comment(comment, by=world.reviewer2, text="hijack")
    with pytest.raises(ValidationError, match="10 minutes"):
        edit_comment(
            comment, by=world.reviewer, text="late", now=timezone.now() + timedelta(minutes=11)
        )
    other = add_comment(record=record, author=world.reviewer2, text="mine")
    with pytest.raises(ValidationError, match="author or a lead"):
        delete_comment(other, by=world.reviewer, membership=world.membership(world.reviewer))
    delete_comment(other, by=world.lead, membership=world.membership(world.lead))
    other.refresh_from_db()
    assert other.deleted_by == world.lead and other.text == "mine"  # kept for the history
    ops = [e.after["op"] for e in VoteEvent.objects.filter(action=VoteAction.COMMENT)]
    assert ops == ["add", "edit", "add", "delete"]
    with pytest.raises(ValidationError):
        add_comment(record=record, author=world.reviewer, text="   ")


def test_pages_and_api_write_edit_and_delete(world, record, client_for):
    client = client_for(world.reviewer)
    url = reverse("record_comments", args=[world.review.pk, record.pk])
    response = client.post(url, {"text": "<script>alert(1)</script> hello"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    comment = Comment.objects.get()
    api = reverse("api:comment_detail", args=[world.review.pk, comment.pk])
    edited = client.patch(api, {"text": "edited"}, content_type="application/json")
    assert edited.status_code == 200 and edited.json()[0]["text"] == "edited"
    assert client_for(world.viewer).post(url, {"text": "x"}).status_code == 403
    other = client_for(world.reviewer2)
    assert other.patch(api, {"text": "x"}, content_type="application/json").status_code == 404
    assert client_for(world.lead).delete(api).status_code == 404  # the lead may not read it yet
    assert client_for(world.reviewer).delete(api).status_code == 204
    assert (
        client_for(world.reviewer)
        .get(reverse("api:record_comments", args=[world.review.pk, record.pk]))
        .json()[0]["deleted"]
    )


def test_mentions_are_mailed_once_and_never_through_blinding(
    world, record, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settled = make_record(make_batch(world.review), state=RecordState.TA_EXCLUDED)
    with django_capture_on_commit_callbacks(execute=True):
        with_mentions = add_comment(
            record=settled, author=world.reviewer, text="@rafael and @liam: see this. @oscar @rita"
        )
    mentioned = set(
        Mention.objects.filter(comment=with_mentions).values_list("user__username", flat=True)
    )
    assert mentioned == {"rafael", "liam"}  # not outsiders, not oneself
    assert sorted(m.to[0] for m in mail.outbox) == ["liam@example.org", "rafael@example.org"]
    for mention in Mention.objects.all():
        assert notify_mention(mention.pk) is False  # already sent: never twice
    assert len(mail.outbox) == 2

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        blinded = add_comment(
            record=record, author=world.reviewer, text="@rafael what do you think?"
        )
    assert Mention.objects.filter(comment=blinded, notified_at__isnull=True).count() == 1
    assert mail.outbox == []  # rafael may not read it while the record waits for votes


def test_the_records_export_counts_the_comments_each_member_may_read(world, record, client_for):
    import csv
    import io

    add_comment(record=record, author=world.reviewer, text="one")
    add_comment(record=record, author=world.reviewer2, text="two")

    def count(member):
        response = client_for(member).get(
            reverse("export_records", args=[world.review.pk]), {"format": "csv"}
        )
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = {int(r["record_id"]): r for r in csv.DictReader(io.StringIO(text))}
        return rows[record.pk]["comments"]

    assert (count(world.reviewer), count(world.reviewer2), count(world.lead)) == ("1", "1", "0")


def test_mentions_show_on_the_members_dashboard_once_they_may_read_them(world, record, client_for):
    settled = make_record(
        make_batch(world.review), title="Settled one", state=RecordState.TA_EXCLUDED
    )
    add_comment(record=settled, author=world.reviewer, text="@rafael see the dosage")
    add_comment(record=record, author=world.reviewer, text="@rafael blinded question")
    dashboard = reverse("review_dashboard", args=[world.review.pk])
    html = client_for(world.reviewer2).get(dashboard).content.decode()
    assert 'data-testid="mentions-card"' in html and "see the dosage" in html
    # The other comment is on a record still waiting for votes: rafael may not read it yet.
    assert "blinded question" not in html
    assert (
        'data-testid="mentions-card"' not in client_for(world.lead).get(dashboard).content.decode()
    )
