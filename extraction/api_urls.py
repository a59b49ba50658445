"""REST routes of the extraction app, under /api/reviews/<review_id>/."""

from django.urls import path

from extraction import api, api_settings

urlpatterns = [
    path("extraction/form/", api.ExtractionFormDetail.as_view(), name="extraction_form"),
    path(
        "extraction/seed-template/",
        api_settings.SeedTemplate.as_view(),
        name="extraction_seed_template",
    ),
    path(
        "extraction/settings/",
        api_settings.ExtractionSettingsDetail.as_view(),
        name="extraction_settings",
    ),
    path("studies/", api.StudyList.as_view(), name="extraction_study_list"),
    path(
        "studies/<id:study_id>/<slug:instrument>/mine/",
        api.MySheet.as_view(),
        name="extraction_sheet_mine",
    ),
    path(
        "studies/<id:study_id>/<slug:instrument>/sheets/",
        api.SheetList.as_view(),
        name="extraction_sheets",
    ),
    path(
        "studies/<id:study_id>/<slug:instrument>/consensus/",
        api.ConsensusDetail.as_view(),
        name="extraction_consensus",
    ),
    path("evidence-table/", api.EvidenceTableExport.as_view(), name="evidence_table"),
    path("evidence-table/<slug:kind>/", api.EvidenceForR.as_view(), name="evidence_table_for_r"),
    path("risk-of-bias/summary/", api.RiskOfBiasSummary.as_view(), name="rob_summary"),
]
