from django.contrib import admin

from extraction.models import (
    Consensus,
    ConsensusEvent,
    ExtractionSettings,
    FormVersion,
    Sheet,
    SheetEvent,
    Study,
    StudyReport,
)


class StudyReportInline(admin.TabularInline):
    model = StudyReport
    extra = 0
    raw_id_fields = ["record", "linked_by"]


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ["label", "review", "created_at"]
    search_fields = ["label"]
    inlines = [StudyReportInline]


@admin.register(ExtractionSettings)
class ExtractionSettingsAdmin(admin.ModelAdmin):
    list_display = ["review", "assessors_per_study", "rob2_effect"]


@admin.register(FormVersion)
class FormVersionAdmin(admin.ModelAdmin):
    list_display = ["review", "number", "note", "created_by", "created_at"]


class ReadOnlyHistory(admin.ModelAdmin):
    """History rows are append-only: the admin shows them and never edits them."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Sheet)
class SheetAdmin(admin.ModelAdmin):
    list_display = ["study", "instrument", "slot", "assessor", "submitted_at", "updated_at"]
    list_filter = ["instrument"]
    raw_id_fields = ["study", "assessor"]


@admin.register(SheetEvent)
class SheetEventAdmin(ReadOnlyHistory):
    list_display = ["sheet", "action", "key", "actor", "at"]


@admin.register(Consensus)
class ConsensusAdmin(admin.ModelAdmin):
    list_display = ["study", "instrument", "updated_at"]


@admin.register(ConsensusEvent)
class ConsensusEventAdmin(ReadOnlyHistory):
    list_display = ["consensus", "key", "source", "actor", "at"]
