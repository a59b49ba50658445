"""Studies and reports: one study per included report by default, linked and unlinked by
the lead; PRISMA's included counts follow."""

import pytest

from extraction.models import Instrument, Sheet, Study, StudyReport
from extraction.selectors import included_counts
from extraction.services.studies import ensure_studies, study_label
from screening.models import RecordState
from tests.extraction.factories import included_record, make_batch, make_study


def test_it_gives_each_included_report_a_study_once(world):
    batch = make_batch(world.review)
    included_record(world.review, batch=batch, authors=["Smith, John"], year=2019)
    included_record(world.review, batch=batch, authors=["Jane Doe"], year=2020)
    assert ensure_studies(review=world.review) == 2
    assert ensure_studies(review=world.review) == 0
    assert sorted(Study.objects.values_list("label", flat=True)) == ["Doe 2020", "Smith 2019"]
    assert StudyReport.objects.count() == 2


def test_it_labels_studies_from_author_and_year(world):
    record = included_record(world.review, authors=["Younger J"], year=2013)
    assert study_label(record) == "Younger 2013"
    record.authors, record.title = [], "A title"
    assert study_label(record) == "A title"


def test_it_counts_studies_and_reports_for_prisma_in_one_query(world, django_assert_num_queries):
    batch = make_batch(world.review)
    records = [included_record(world.review, batch=batch) for _ in range(3)]
    included_record(world.review, batch=batch, state=RecordState.FT_EXCLUDED)
    ensure_studies(review=world.review)
    target = Study.objects.get(reports__record=records[0])
    StudyReport.objects.filter(record=records[1]).update(study=target)
    included_record(world.review, batch=batch)  # no study yet: counts as its own
    with django_assert_num_queries(1):
        assert included_counts(review=world.review) == (3, 4)


def test_the_lead_links_two_reports_into_one_study(client_for, world):
    first, second = make_study(world.review), make_study(world.review)
    client = client_for(world.lead)
    response = client.post(
        f"/reviews/{world.review.pk}/extraction/studies/link/",
        {"target": first.pk, "studies": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    assert first.reports.count() == 2
    assert not Study.objects.filter(pk=second.pk).exists()
    assert included_counts(review=world.review) == (1, 2)
    page = client.get(f"/reviews/{world.review.pk}/extraction/")
    assert page.status_code == 200 and page.content.count(b">unlink</button>") == 2


def test_a_reviewer_cannot_link(client_for, world):
    first, second = make_study(world.review), make_study(world.review)
    response = client_for(world.reviewer).post(
        f"/reviews/{world.review.pk}/extraction/studies/link/",
        {"target": first.pk, "studies": [second.pk]},
    )
    assert response.status_code == 403
    assert first.reports.count() == 1


def test_it_refuses_to_absorb_a_study_with_values(client_for, world):
    first, second = make_study(world.review), make_study(world.review)
    Sheet.objects.create(
        study=second,
        instrument=Instrument.EXTRACTION,
        assessor=world.reviewer,
        slot=1,
        values={"title": "x"},
    )
    client = client_for(world.lead)
    client.post(
        f"/reviews/{world.review.pk}/extraction/studies/link/",
        {"target": first.pk, "studies": [second.pk]},
    )
    assert second.reports.count() == 1 and Study.objects.filter(pk=second.pk).exists()


def test_the_lead_unlinks_a_report(client_for, world):
    first, second = make_study(world.review), make_study(world.review)
    record = second.reports.get().record
    StudyReport.objects.filter(study=second).update(study=first)
    second.delete()
    response = client_for(world.lead).post(
        f"/reviews/{world.review.pk}/extraction/studies/{first.pk}/unlink/", {"record": record.pk}
    )
    assert response.status_code == 302
    assert first.reports.count() == 1
    assert Study.objects.get(reports__record=record) != first


def test_the_lead_renames_a_study(client_for, world):
    study = make_study(world.review)
    client_for(world.lead).post(
        f"/reviews/{world.review.pk}/extraction/studies/{study.pk}/rename/",
        {"label": "Smith 2019a"},
    )
    study.refresh_from_db()
    assert study.label == "Smith 2019a"


def test_an_outsider_gets_404_for_a_study(client_for, world):
    study = make_study(world.review)
    response = client_for(world.outsider).get(
        f"/reviews/{world.review.pk}/studies/{study.pk}/extraction/"
    )
    assert response.status_code == 404


def test_a_study_of_another_review_is_404(client_for, world):
    other = make_study(world.other_review)
    response = client_for(world.lead).get(
        f"/reviews/{world.review.pk}/studies/{other.pk}/extraction/"
    )
    assert response.status_code == 404


def test_the_overview_escapes_record_titles(client_for, world):
    make_study(world.review, title="<script>alert(1)</script> trial")
    page = client_for(world.viewer).get(f"/reviews/{world.review.pk}/extraction/")
    assert page.status_code == 200
    assert b"<script>alert(1)" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt; trial" in page.content


@pytest.mark.parametrize("count", [1, 2])
def test_the_lead_sets_extractors_per_study(client_for, world, count):
    response = client_for(world.lead).post(
        f"/reviews/{world.review.pk}/extraction/settings/",
        {
            "assessors_per_study": count,
            "rob2_effect": "assignment",
            "tool_name": "Back Review Group",
            "domains": "selection | Selection bias\nreporting | Reporting bias | selective reporting",
        },
    )
    assert response.status_code == 302
    settings = world.review.extraction_settings
    assert settings.assessors_per_study == count
    assert [d["key"] for d in settings.domain_tool["domains"]] == ["selection", "reporting"]
