"""With DEBUG off, 403, 404 and 500 are the app's own pages: what happened, the way back, no internals."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.usefixtures("world")


@override_settings(DEBUG=False)
def test_403_says_why_and_links_back_to_the_review(world, client_for):
    client = client_for(world.reviewer)
    response = client.get(f"/reviews/{world.review.pk}/conflicts/ta/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="error-page"' in html
    assert "This needs the lead role." in html
    assert f'href="/reviews/{world.review.pk}/"' in html  # back to the review
    assert 'href="/"' in html  # my reviews
    assert 'data-testid="review-nav"' not in html  # no review context leaks into the page


@override_settings(DEBUG=False)
def test_404_for_an_outsider_looks_the_same_as_for_a_missing_page(world, client_for):
    client = client_for(world.outsider)
    theirs = client.get(f"/reviews/{world.review.pk}/prisma/")
    missing = client.get("/no/such/page/")
    assert theirs.status_code == missing.status_code == 404
    for response in (theirs, missing):
        html = response.content.decode()
        assert "Page not found" in html and 'href="/"' in html
        assert "No such review" not in html and "Traceback" not in html
    assert world.review.title not in theirs.content.decode()


@override_settings(DEBUG=False, ROOT_URLCONF="tests.ui.error_urls")
def test_500_is_styled_and_hides_the_exception(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.lead)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and 'href="/"' in html
    assert "secret internals" not in html and "RuntimeError" not in html
    assert "bootstrap.min.css" in html  # the styled page, not Django's plain text


@override_settings(DEBUG=False)
def test_anonymous_404_offers_to_log_in(world):
    html = Client().get("/nowhere/").content.decode()
    assert "Page not found" in html and 'href="/accounts/login/"' in html
