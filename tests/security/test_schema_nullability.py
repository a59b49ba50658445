"""The schema says null where the API answers null (clients generated from it rely on it)."""

from drf_spectacular.generators import SchemaGenerator


def test_fields_the_api_leaves_null_are_nullable_in_the_schema():
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert schemas["LeadVote"]["properties"]["reason_label"]["nullable"] is True
    assert schemas["StoppingDecision"]["properties"]["undone_by"]["nullable"] is True
