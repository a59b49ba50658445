"""An upload past UPLOAD_MAX_BYTES is refused before its body is received
(reviewapp/uploads.py): the middleware answers from Content-Length alone, and the upload
handler stops a file that grows past the limit as it arrives."""

from __future__ import annotations

import io

from django.test import Client
from rest_framework.authtoken.models import Token

from reviewapp.uploads import FORM_FIELDS_ALLOWANCE
from screening.models import ImportBatch

BOUNDARY = "limit-test-boundary"


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the oversized body was read")

    readline = read


def _oversized_post(client, url, settings, **extra):
    return client.generic(
        "POST",
        url,
        data=b"x",
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(settings.UPLOAD_MAX_BYTES + FORM_FIELDS_ALLOWANCE + 1),
        **{"wsgi.input": UnreadableBody()},
        **extra,
    )


def test_an_oversized_api_upload_is_refused_unread(world, settings):
    settings.UPLOAD_MAX_BYTES = 50 * 1024 * 1024
    token = Token.objects.create(user=world.lead).key
    response = _oversized_post(
        Client(),
        f"/api/reviews/{world.review.pk}/imports/",
        settings,
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 413
    assert "the limit: 50.0\xa0MB" in response.json()["detail"]
    assert not ImportBatch.objects.exists()


def test_an_oversized_page_upload_is_refused_unread(world, settings, client_for):
    settings.UPLOAD_MAX_BYTES = 50 * 1024 * 1024
    client = client_for(world.lead)
    response = _oversized_post(client, f"/reviews/{world.review.pk}/imports/", settings)
    assert response.status_code == 413
    assert "the limit: 50.0\xa0MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_file_growing_past_the_limit_is_stopped_as_it_arrives(world, settings):
    settings.UPLOAD_MAX_BYTES = 2048  # the announced length stays within the allowance
    token = Token.objects.create(user=world.lead).key
    client = Client()
    big = io.BytesIO(b"TY  - JOUR\nTI  - " + b"a" * 8000 + b"\nER  - \n")
    big.name = "big.ris"
    response = client.post(
        f"/api/reviews/{world.review.pk}/imports/",
        {"file": big, "source_name": "PubMed"},
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 413
    assert "larger than the limit: 2.0\xa0KB per file" in response.json()["detail"]
    assert not ImportBatch.objects.exists()


def test_an_upload_within_the_limit_goes_through(world, settings):
    token = Token.objects.create(user=world.lead).key
    small = io.BytesIO(b"TY  - JOUR\nTI  - A trial\nER  - \n")
    small.name = "small.ris"
    response = Client().post(
        f"/api/reviews/{world.review.pk}/imports/",
        {"file": small, "source_name": "PubMed"},
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 202, response.content
    assert ImportBatch.objects.filter(review=world.review).count() == 1
