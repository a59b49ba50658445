"""The extraction API's documents have a schema a client can be generated from: RoB 2's
item keys and answers as enums, the `{instrument}` values, the form definition, the
consensus and the risk-of-bias summary; and the API's real answers validate against it."""

from __future__ import annotations

import jsonschema
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from extraction.services.forms import use_seed_template
from tests.extraction.factories import make_study

SHEET = "/api/reviews/{review_id}/studies/{study_id}/{instrument}/mine/"


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _json_schema(openapi):
    """OpenAPI 3.0's `nullable` in JSON Schema terms, so jsonschema can check it."""
    if isinstance(openapi, list):
        return [_json_schema(item) for item in openapi]
    if not isinstance(openapi, dict):
        return openapi
    out = {key: _json_schema(value) for key, value in openapi.items() if key != "nullable"}
    return {"anyOf": [out, {"type": "null"}]} if openapi.get("nullable") else out


def _validator(schema: dict, target: dict):
    """Checks a document against `target`, its references resolved in `schema`."""
    root = {**_json_schema(target), "components": _json_schema(schema["components"])}
    return jsonschema.Draft202012Validator(root)


def _response_schema(schema: dict, path: str, method: str = "get") -> dict:
    content = schema["paths"][path][method]["responses"]["200"]["content"]
    return content["application/json"]["schema"]


def _resolve(schema: dict, ref_or_schema: dict) -> dict:
    ref = ref_or_schema.get("$ref")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else ref_or_schema


def test_rob2_keys_answers_and_instruments_are_enums():
    schema = _schema()
    get = schema["paths"][SHEET]["get"]
    (instrument,) = [p for p in get["parameters"] if p["name"] == "instrument"]
    assert sorted(instrument["schema"]["enum"]) == ["extraction", "rob-domain", "rob2"]
    sheet = _resolve(schema, _response_schema(schema, SHEET))
    rob2, domain_tool, extraction = sheet["properties"]["values"]["anyOf"]
    assert rob2["additionalProperties"] is False
    assert rob2["properties"]["1.1"]["enum"] == ["Y", "PY", "PN", "N", "NI", "NA"]
    assert rob2["properties"]["2.7"]["enum"] == ["Y", "PY", "PN", "N", "NI", "NA"]
    assert rob2["properties"]["overall"]["enum"] == ["low", "some_concerns", "high"]
    assert rob2["properties"]["d3_reason"] == {"type": "string"}
    assert domain_tool["additionalProperties"] == {"type": "string"}
    assert extraction["title"] == "ExtractionValues"


def test_the_form_definition_consensus_and_summary_are_objects():
    schema = _schema()
    form = _resolve(schema, _response_schema(schema, "/api/reviews/{review_id}/extraction/form/"))
    definition = form["properties"]["definition"]
    assert definition["required"] == ["format", "version", "name", "description", "sections"]
    field = definition["properties"]["sections"]["items"]["properties"]["fields"]["items"]
    assert "multiple_choice" in field["properties"]["type"]["enum"]
    consensus_path = "/api/reviews/{review_id}/studies/{study_id}/{instrument}/consensus/"
    consensus = _resolve(schema, _response_schema(schema, consensus_path))
    final = consensus["properties"]["final"]["additionalProperties"]
    assert final["properties"]["source"]["enum"] == ["consensus", "agreed", "single", "pending", ""]
    summary = _response_schema(schema, "/api/reviews/{review_id}/risk-of-bias/summary/")
    row = _resolve(schema, summary["items"])
    assert row["properties"]["traffic_light"]["items"]["required"] == ["study", "judgements"]


def test_real_answers_validate_against_the_schema(world):
    use_seed_template(review=world.review, by=world.owner)
    study = make_study(world.review, title="A randomised trial of LDN", year=2018)
    client = APIClient()
    client.force_authenticate(world.reviewer)
    schema = _schema()
    sheet = _validator(schema, _resolve(schema, _response_schema(schema, SHEET)))
    base = f"/api/reviews/{world.review.pk}/studies/{study.pk}"
    answers = {"1.1": "py", "1.2": "Y", "1.3": "N", "result": "Mortality at 12 weeks"}
    saved = client.put(f"{base}/rob2/mine/", {"values": answers}, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["values"]["1.1"] == "PY"
    sheet.validate(saved.json())
    for instrument in ("extraction", "rob-domain"):
        sheet.validate(client.get(f"{base}/{instrument}/mine/").json())
    form_path = "/api/reviews/{review_id}/extraction/form/"
    form = _validator(schema, _resolve(schema, _response_schema(schema, form_path)))
    answer = client.get(f"/api/reviews/{world.review.pk}/extraction/form/").json()
    assert answer["definition"]["sections"]
    form.validate(answer)
    # RoB 2's own shape (one of the three `values` may take) is closed and typed.
    sheet_schema = _resolve(schema, _response_schema(schema, SHEET))
    rob2 = _validator(schema, sheet_schema["properties"]["values"]["anyOf"][0])
    rob2.validate(saved.json()["values"])
    assert not rob2.is_valid({**saved.json()["values"], "1.1": "maybe"})
    assert not rob2.is_valid({**saved.json()["values"], "9.9": "Y"})
