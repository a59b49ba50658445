"""The import pages and API: upload, progress, report, retry, delete; roles."""

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from screening.models import ImportBatch, ImportStatus, Record
from tests.imports_dedupe.fixtures import MEDLINE_DUPLICATE, RIS_THREE


def _post_upload(client, world, content=RIS_THREE, name="embase.ris", **extra):
    data = {
        "files": [SimpleUploadedFile(name, content)],
        "source_name": "Embase",
        "source_kind": "database",
        "search_date": "2020-07-17",
        "search_query": '"low-dose naltrexone" AND pain',
        **extra,
    }
    return client.post(f"/reviews/{world.review.pk}/imports/new/", data)


def test_it_imports_from_the_page_and_shows_the_summary(
    client_for, world, django_capture_on_commit_callbacks
):
    client = client_for(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_upload(client, world)
    batch = ImportBatch.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/reviews/{world.review.pk}/imports/{batch.pk}/"
    )
    assert (batch.status, batch.records_imported, str(batch.search_date)) == (
        ImportStatus.DONE,
        3,
        "2020-07-17",
    )
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="imported">3<' in page and "low-dose naltrexone" in page
    listing = client.get(f"/reviews/{world.review.pk}/imports/").content.decode()
    assert "embase.ris" in listing


def test_it_shows_why_a_file_failed(client_for, world, django_capture_on_commit_callbacks):
    client = client_for(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_upload(
            client, world, content=b"<html><body>Login</body></html>", name="export.ris"
        )
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was imported" in page and "HTML" in page
    assert not Record.objects.exists()


def test_a_reviewer_cannot_import(client_for, world):
    response = _post_upload(client_for(world.reviewer), world)
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_the_same_file_twice_is_flagged(client_for, world, django_capture_on_commit_callbacks):
    client = client_for(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        _post_upload(client, world)
    response = _post_upload(client, world, name="copy.ris")
    page = client.get(response["Location"]).content.decode()
    assert "already imported" in page
    assert ImportBatch.objects.count() == 1


def test_record_text_is_escaped_on_the_duplicates_page(
    client_for, world, django_capture_on_commit_callbacks
):
    client = client_for(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        _post_upload(client, world)
    from screening.models import CandidatePair

    a, b = Record.objects.order_by("pk")[1:3]
    CandidatePair.objects.create(
        review=world.review,
        record_a=a,
        record_b=b,
        score=0.9,
        automatic=False,
        reasons=["<b>x</b>"],
    )
    page = client.get(f"/reviews/{world.review.pk}/duplicates/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_the_lead_confirms_a_pair_with_htmx_and_undoes_it(
    client_for, world, django_capture_on_commit_callbacks
):
    from screening.models import CandidatePair, DuplicateGroup, RecordState

    client = client_for(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        _post_upload(client, world)
    a, b = Record.objects.order_by("pk")[:2]
    pair = CandidatePair.objects.create(
        review=world.review, record_a=a, record_b=b, score=0.9, automatic=False
    )
    response = client.post(
        f"/reviews/{world.review.pk}/duplicates/pairs/{pair.pk}/confirm/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Confirmed duplicate" in response.content.decode()
    group = DuplicateGroup.objects.get()
    assert group.records.filter(state=RecordState.DUPLICATE).count() == 1
    groups_page = client.get(f"/reviews/{world.review.pk}/duplicates/groups/").content.decode()
    assert (
        f'data-testid="group-{group.pk}"' in groups_page
        and "Confirmed as duplicates" in groups_page
    )
    client.post(f"/reviews/{world.review.pk}/duplicates/groups/{group.pk}/unmerge/")
    assert not DuplicateGroup.objects.exists()
    assert set(Record.objects.values_list("state", flat=True)) == {RecordState.TA}


def test_bulk_decisions(client_for, world, django_capture_on_commit_callbacks):
    from screening.models import CandidatePair, PairStatus

    client = client_for(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        _post_upload(client, world)
    a, b, c = Record.objects.order_by("pk")
    p1 = CandidatePair.objects.create(
        review=world.review, record_a=a, record_b=b, score=0.9, automatic=False
    )
    p2 = CandidatePair.objects.create(
        review=world.review, record_a=b, record_b=c, score=0.8, automatic=False
    )
    client.post(
        f"/reviews/{world.review.pk}/duplicates/pairs/bulk/",
        {"decision": "reject", "pair": [p1.pk, p2.pk]},
    )
    assert set(CandidatePair.objects.values_list("status", flat=True)) == {PairStatus.REJECTED}


def test_the_api_uploads_and_reports(world, django_capture_on_commit_callbacks):
    from rest_framework.authtoken.models import Token

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.lead).key}")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/reviews/{world.review.pk}/imports/",
            {"file": SimpleUploadedFile("pubmed.nbib", MEDLINE_DUPLICATE), "source_name": "PubMed"},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    batch_id = response.json()["id"]
    detail = api.get(f"/api/reviews/{world.review.pk}/imports/{batch_id}/").json()
    assert (detail["status"], detail["imported"], detail["format"]) == ("done", 2, "medline")
    assert (
        api.get(f"/api/reviews/{world.review.pk}/duplicates/pairs/?status=pending").json()["count"]
        == 0
    )
    assert api.delete(f"/api/reviews/{world.review.pk}/imports/{batch_id}/").status_code == 204
    assert not Record.objects.exists()


def test_the_api_refuses_a_viewer_upload(world):
    from rest_framework.authtoken.models import Token

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.viewer).key}")
    response = api.post(
        f"/api/reviews/{world.review.pk}/imports/",
        {"file": SimpleUploadedFile("a.ris", RIS_THREE), "source_name": "X"},
        format="multipart",
    )
    assert response.status_code == 403 and not ImportBatch.objects.exists()
