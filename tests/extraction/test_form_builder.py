"""The form builder: seed template, sections and fields, order, versions, JSON in and out;
a change after extraction started never loses values."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from extraction.domain.forms import definition_from_dict, definition_to_dict, seed_template
from extraction.models import FormVersion, Instrument, Sheet
from extraction.selectors import current_form, definition_of, evidence_table
from extraction.services.forms import use_seed_template
from tests.extraction.factories import make_study


def _edit(client, world, **data):
    return client.post(f"/reviews/{world.review.pk}/extraction/form/edit/", data)


def test_the_lead_uses_the_seed_template(client_for, world):
    response = _edit(client_for(world.lead), world, action="seed")
    assert response.status_code == 302
    version = current_form(review=world.review)
    assert version.number == 1 and definition_of(version) == seed_template()
    page = client_for(world.viewer).get(f"/reviews/{world.review.pk}/extraction/form/")
    assert b"Race (% African American)" in page.content
    assert b"Use the seed template" not in page.content  # viewers do not edit


def test_a_reviewer_cannot_change_the_form(client_for, world):
    assert _edit(client_for(world.reviewer), world, action="seed").status_code == 403
    assert not FormVersion.objects.exists()


def test_the_lead_builds_a_form_from_scratch(client_for, world):
    client = client_for(world.lead)
    _edit(
        client,
        world,
        action="add_section",
        title="Outcomes",
        label="Pain score",
        type="decimal",
        unit="VAS mm",
        min_value="0",
        max_value="100",
    )
    _edit(
        client,
        world,
        action="add_field",
        section="outcomes",
        label="Blinded",
        type="yes_no",
        required="on",
    )
    _edit(
        client,
        world,
        action="add_field",
        section="outcomes",
        label="Arms",
        type="multiple_choice",
        choices="ldn | LDN\nplacebo | Placebo",
    )
    _edit(client, world, action="move_field", field="arms", direction="up")
    definition = definition_of(current_form(review=world.review))
    assert [f.key for f in definition.ordered_fields()] == ["pain_score", "arms", "blinded"]
    assert definition.field("pain_score").unit == "VAS mm"
    assert definition.field("blinded").required
    assert FormVersion.objects.filter(review=world.review).count() == 4


def test_an_invalid_field_is_refused_with_a_message(client_for, world):
    client = client_for(world.lead)
    use_seed_template(review=world.review, by=world.lead)
    response = _edit(
        client,
        world,
        action="add_field",
        section="outcomes",
        label="Arm",
        type="choice",
        choices="only one",
    )
    assert response.status_code == 302
    assert FormVersion.objects.count() == 1
    page = client.get(response["Location"].split("#")[0])
    assert b"needs at least two choices" in page.content


def test_removing_a_field_keeps_its_values_in_sheets_and_exports(client_for, world):
    use_seed_template(review=world.review, by=world.lead)
    study = make_study(world.review)
    client = client_for(world.reviewer)
    client.post(
        f"/reviews/{world.review.pk}/studies/{study.pk}/extraction/",
        {"dose": "4.5 mg/day", "title": "LDN"},
    )
    _edit(client_for(world.lead), world, action="delete_field", field="dose")
    assert definition_of(current_form(review=world.review)).field("dose") is None
    # Saving again under the new form leaves the removed field's value alone.
    client = client_for(world.reviewer)
    client.post(f"/reviews/{world.review.pk}/studies/{study.pk}/extraction/", {"title": "LDN 2"})
    sheet = Sheet.objects.get(study=study, instrument=Instrument.EXTRACTION)
    assert sheet.values["dose"] == "4.5 mg/day" and sheet.values["title"] == "LDN 2"
    assert sheet.events.filter(key="dose").count() == 1
    table = evidence_table(review=world.review)
    column = next(c for c in table.columns if c.key == "removed/dose")
    assert table.text(table.rows[0], column) == "4.5 mg/day"
    page = client.get(f"/reviews/{world.review.pk}/studies/{study.pk}/extraction/")
    assert b"Values kept from earlier versions" in page.content


def test_it_exports_and_imports_the_form_as_json(client_for, world):
    use_seed_template(review=world.review, by=world.lead)
    exported = client_for(world.viewer).get(f"/reviews/{world.review.pk}/extraction/form/export/")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/json")
    data = json.loads(exported.content)
    assert definition_from_dict(data) == seed_template()
    upload = SimpleUploadedFile("form.json", exported.content, content_type="application/json")
    response = client_for(world.lead).post(
        f"/reviews/{world.other_review.pk}/extraction/form/edit/",
        {"action": "import", "file": upload},
    )
    assert response.status_code == 404  # the lead is not a member of the other review
    world.other_review.memberships.create(user=world.lead, role="lead")
    upload.seek(0)
    client_for(world.lead).post(
        f"/reviews/{world.other_review.pk}/extraction/form/edit/",
        {"action": "import", "file": upload},
    )
    assert definition_of(current_form(review=world.other_review)) == seed_template()


def test_the_api_reads_and_replaces_the_form(client_for, world):
    url = f"/api/reviews/{world.review.pk}/extraction/form/"
    assert client_for(world.viewer).get(url).json()["version"] is None
    definition = definition_to_dict(seed_template())
    response = client_for(world.reviewer).put(
        url, {"definition": definition}, content_type="application/json"
    )
    assert response.status_code == 403
    response = client_for(world.lead).put(
        url, {"definition": definition}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["version"] == 1
    bad = client_for(world.lead).put(
        url, {"definition": {"format": "nope"}}, content_type="application/json"
    )
    assert bad.status_code == 400 and "definition" in bad.json()
    assert client_for(world.viewer).get(url).json()["definition"]["name"] == seed_template().name
