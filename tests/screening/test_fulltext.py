"""Full-text retrieval: upload, not retrieved, the private PDF."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening.models import FullText, RecordState
from screening.services.votes import cast_vote
from tests.screening.factories import PDF_BYTES, make_records


def pdf(name="paper.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_it_lists_records_sought_for_retrieval(world, client_for):
    make_records(world.review, 2, state=RecordState.FT_RETRIEVAL, title="Sought one")
    make_records(world.review, 1, title="Still at title/abstract")
    html = (
        client_for(world.viewer)
        .get(reverse("fulltext_list", args=[world.review.pk]))
        .content.decode()
    )
    assert html.count('data-testid="fulltext-row"') == 2 and "Still at title" not in html
    assert "Upload" not in html  # viewers read only


def test_it_sends_a_record_to_full_text_when_two_include(world):
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="include")
    record.refresh_from_db()
    assert record.state == RecordState.FT_RETRIEVAL


def test_it_stores_an_uploaded_pdf_privately_and_serves_it_to_members(world, client_for, settings):
    (record,) = make_records(world.review, 1, state=RecordState.FT_RETRIEVAL)
    client = client_for(world.reviewer)
    response = client.post(
        reverse("fulltext_upload", args=[world.review.pk, record.pk]), {"file": pdf()}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    fulltext = FullText.objects.get(record=record)
    assert (
        record.state == RecordState.FT
        and fulltext.size == len(PDF_BYTES)
        and len(fulltext.sha256) == 64
    )
    assert fulltext.file.path.startswith(str(settings.MEDIA_ROOT))
    served = client_for(world.viewer).get(
        reverse("fulltext_file", args=[world.review.pk, record.pk])
    )
    assert served.status_code == 200 and b"".join(served.streaming_content) == PDF_BYTES
    assert served["Content-Type"] == "application/pdf" and served["X-Frame-Options"] == "SAMEORIGIN"
    assert (
        client_for(world.outsider)
        .get(reverse("fulltext_file", args=[world.review.pk, record.pk]))
        .status_code
        == 404
    )


def test_it_refuses_files_that_are_not_pdfs_or_too_large(world, client_for, settings):
    (record,) = make_records(world.review, 1, state=RecordState.FT_RETRIEVAL)
    client = client_for(world.reviewer)
    url = reverse("api:fulltext", args=[world.review.pk, record.pk])
    fake = client.post(url, {"file": pdf("x.pdf", b"<html>not a pdf</html>")})
    assert fake.status_code == 400 and "not a PDF" in fake.content.decode()
    settings.UPLOAD_MAX_BYTES = 10
    big = client.post(url, {"file": pdf()})
    assert big.status_code == 413 and "larger than the limit" in big.content.decode()
    record.refresh_from_db()
    assert record.state == RecordState.FT_RETRIEVAL and not FullText.objects.exists()


def test_it_marks_a_report_not_retrieved_with_a_reason(world, client_for):
    (record,) = make_records(world.review, 1, state=RecordState.FT_RETRIEVAL)
    client = client_for(world.reviewer)
    url = reverse("api:fulltext", args=[world.review.pk, record.pk])
    assert client.post(url, {}).status_code == 400
    body = client.post(url, {"not_retrieved_reason": "Library has no access"}).json()
    assert body["state"] == RecordState.FT_NOT_RETRIEVED and body["retrieved"] is False
    record.refresh_from_db()
    assert record.state == RecordState.FT_NOT_RETRIEVED
    uploaded = client.post(url, {"file": pdf()})
    assert uploaded.status_code == 200 and uploaded.json()["retrieved"] is True


def test_it_shows_the_pdf_beside_the_full_text_voting_panel(world, client_for):
    (record,) = make_records(world.review, 1, state=RecordState.FT_RETRIEVAL)
    client = client_for(world.reviewer)
    client.post(reverse("fulltext_upload", args=[world.review.pk, record.pk]), {"file": pdf()})
    html = client.get(reverse("screen", args=[world.review.pk, "ft"])).content.decode()
    assert (
        reverse("fulltext_file", args=[world.review.pk, record.pk]) in html
        and 'data-testid="pdf"' in html
    )


def test_a_wrong_pdf_can_still_be_marked_not_retrieved_and_the_moves_are_kept(world):
    from screening.models import VoteAction, VoteEvent
    from screening.services.fulltext import mark_not_retrieved, upload_fulltext

    (record,) = make_records(world.review, 1, state=RecordState.FT_RETRIEVAL)
    upload_fulltext(record=record, upload=pdf(), uploaded_by=world.lead)
    record.refresh_from_db()
    assert record.state == RecordState.FT
    mark_not_retrieved(record=record, reason="Wrong paper; no access", by=world.lead)
    record.refresh_from_db()
    assert record.state == RecordState.FT_NOT_RETRIEVED
    moves = VoteEvent.objects.filter(record=record, action=VoteAction.MOVE).order_by("pk")
    assert [(m.before["state"], m.after["state"]) for m in moves] == [
        ("ft_retrieval", "ft"),
        ("ft", "ft_not_retrieved"),
    ]
    assert moves[0].actor == world.lead
