"""The PRISMA page, its live fragment, downloads, options and the API."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from screening.models import PrismaOptions, Stage
from screening.services.votes import cast_vote
from tests.factories import make_batch, make_record


def _records(world, n=3, source="PubMed"):
    batch = make_batch(world.review, source_name=source)
    return [make_record(batch) for _ in range(n)]


def test_the_page_shows_the_live_diagram(client_for, world):
    _records(world, 3, source="<script>x</script>")
    page = client_for(world.viewer).get(f"/reviews/{world.review.pk}/prisma/").content.decode()
    assert 'data-testid="prisma-svg"' in page and "<svg" in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    assert 'hx-trigger="every 1s"' in page


def test_the_live_fragment_answers_204_until_something_changes(
    client_for, world, django_capture_on_commit_callbacks
):
    records = _records(world, 2)
    client = client_for(world.viewer)
    page = client.get(f"/reviews/{world.review.pk}/prisma/").content.decode()
    version = page.split('data-version="')[1].split('"')[0]
    live = f"/reviews/{world.review.pk}/prisma/live/?v={version}"
    assert client.get(live).status_code == 204
    world.review.screening_settings.votes_needed_ta = 1
    world.review.screening_settings.save()
    with django_capture_on_commit_callbacks(execute=True):
        cast_vote(
            record=records[0],
            stage=Stage.TITLE_ABSTRACT,
            reviewer=world.reviewer,
            verdict="include",
        )
    response = client.get(live)
    assert response.status_code == 200 and 'id="prisma-diagram"' in response.content.decode()


def test_the_live_poll_costs_few_queries(client_for, world, django_assert_max_num_queries):
    _records(world, 50)
    client = client_for(world.viewer)
    version = (
        client.get(f"/reviews/{world.review.pk}/prisma/")
        .content.decode()
        .split('data-version="')[1]
        .split('"')[0]
    )
    with django_assert_max_num_queries(3):  # session, user, membership: no counting
        assert client.get(f"/reviews/{world.review.pk}/prisma/live/?v={version}").status_code == 204


def _settle_full_text(world, records, reason):
    """Excluded at full text with `reason` (the reasons box reads the outcomes)."""
    from screening.models import OutcomeStatus, RecordState, StageOutcome

    for record in records:
        record.state = RecordState.FT_EXCLUDED
        record.save(update_fields=["state"])
        StageOutcome.objects.create(
            review=world.review,
            record=record,
            stage=Stage.FULL_TEXT,
            votes=2,
            status=OutcomeStatus.SETTLED,
            decision="exclude",
            reason=reason,
            settled_by="votes",
        )


def test_the_page_and_its_re_render_cost_the_same_queries_at_any_size(
    client_for, world, django_assert_num_queries, settings
):
    # As in production (Redis): the session from the cache, not a query.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    from screening.models import ExclusionReason, SearchRound

    client = client_for(world.viewer)
    page, live = f"/reviews/{world.review.pk}/prisma/", f"/reviews/{world.review.pk}/prisma/live/"
    for size in (1, 3):  # imports, reasons and records per import
        for n in range(size):
            records = _records(world, 4 * size, source=f"Database {size}-{n}")
            reason = ExclusionReason.objects.create(
                review=world.review, stage="ft", label=f"Reason {size}-{n}", order=10 * size + n
            )
            _settle_full_text(world, records[:size], reason)
        # the user with their membership; rounds; imports, counts, reasons, included studies,
        # previous version, reasons' links; the review menu's other reviews.
        with django_assert_num_queries(9):
            assert client.get(page).status_code == 200
        with django_assert_num_queries(7):  # no rounds, no menu
            assert client.get(f"{live}?v=0").status_code == 200
    SearchRound.objects.create(review=world.review, number=1)
    SearchRound.objects.create(review=world.review, number=2)
    with django_assert_num_queries(9):
        response = client.get(page)
    assert 'data-testid="prisma-rounds"' in response.content.decode()


def test_downloads_in_every_format(client_for, world):
    _records(world, 4)
    client = client_for(world.viewer)
    expected = {
        "svg": b"<svg",
        "png": b"\x89PNG",
        "pdf": b"%PDF",
        "csv": b"data,node,box,description,boxtext,tooltips,url,n",
        "json": b'"schema": "reviewapp.prisma-flow"',
    }
    for fmt, start in expected.items():
        response = client.get(f"/reviews/{world.review.pk}/prisma/download/{fmt}/")
        assert response.status_code == 200 and start in response.content[:200], fmt
        assert "attachment" in response["Content-Disposition"]
    assert client.get(f"/reviews/{world.review.pk}/prisma/download/exe/").status_code == 404


def test_the_lead_enters_the_previous_version(client_for, world):
    response = client_for(world.lead).post(
        f"/reviews/{world.review.pk}/prisma/options/",
        {"previous_studies": 12, "previous_reports": 15},
    )
    assert response.status_code == 302
    options = PrismaOptions.objects.get(review=world.review)
    assert (options.previous_studies, options.previous_reports) == (12, 15)
    flow_json = (
        client_for(world.viewer).get(f"/reviews/{world.review.pk}/prisma/download/json/").json()
    )
    assert flow_json["arms"]["previous_version"] is True
    assert (
        client_for(world.reviewer)
        .post(f"/reviews/{world.review.pk}/prisma/options/", {})
        .status_code
        == 403
    )


def test_other_methods_imports_feed_their_own_arm(world, django_capture_on_commit_callbacks):
    from screening.services.imports import create_import
    from tests.imports_dedupe.fixtures import RIS_THREE

    with django_capture_on_commit_callbacks(execute=True):
        create_import(
            review=world.review,
            upload=SimpleUploadedFile("refs.ris", RIS_THREE),
            source_name="Reference lists",
            source_kind="citation",
            uploaded_by=world.lead,
        )
    from screening.selectors.prisma import review_flow

    flow, violations = review_flow(review=world.review)
    assert violations == []
    assert flow.has_other_methods and flow.other_results == 3 and flow.other_sought_reports == 3
    assert flow.records_identified == 0 and flow.other_awaiting_retrieval == 3


def test_the_api_gives_json_csv_and_svg(world):
    _records(world, 3)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.viewer).key}")
    url = f"/api/reviews/{world.review.pk}/prisma/"
    data = json.loads(api.get(url).content)
    assert data["nodes"]["records_identified"]["n"] == 3 and data["violations"] == []
    assert api.get(url + "?format=csv").content.startswith(b"data,node,box")
    assert b"<svg" in api.get(url + "?format=svg").content[:300]
    outsider = APIClient()
    outsider.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.outsider).key}"
    )
    assert outsider.get(url).status_code == 404
