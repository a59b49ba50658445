"""The form builder (lead), its preview (everyone), JSON export and import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from extraction import selectors
from extraction.domain.forms import FieldType, dumps_definition
from extraction.services import forms as form_services
from reviewapp.access import review_view
from reviewapp.http import refusal_text
from reviewapp.models import Membership, Review, Role

FIELD_TYPES = [
    (FieldType.SHORT_TEXT.value, "Short text"),
    (FieldType.LONG_TEXT.value, "Long text"),
    (FieldType.INTEGER.value, "Integer"),
    (FieldType.DECIMAL.value, "Decimal (with unit)"),
    (FieldType.CHOICE.value, "Choice (one)"),
    (FieldType.MULTIPLE_CHOICE.value, "Multiple choice"),
    (FieldType.YES_NO.value, "Yes / no"),
    (FieldType.DATE.value, "Date"),
]
MAX_IMPORT_BYTES = 1_000_000


@review_view(Role.VIEWER)
def extraction_form(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    version = selectors.current_form(review=review)
    definition = selectors.definition_of(version)
    sections = (
        [(s, sorted(s.fields, key=lambda f: f.order)) for s in definition.ordered_sections()]
        if definition
        else []
    )
    context = {
        "review": review,
        "membership": membership,
        "version": version,
        "definition": definition,
        "sections": sections,
        "history": review.form_versions.select_related("created_by").order_by("-number")[:20],
        "is_lead": membership.can(Role.LEAD),
        "field_types": FIELD_TYPES,
    }
    return render(request, "extraction/form_builder.html", context)


def _field_attrs(post) -> dict:
    return {
        "label": post.get("label", ""),
        "type": post.get("type", ""),
        "required": post.get("required") == "on",
        "help_text": post.get("help_text", ""),
        "choices": post.get("choices", ""),
        "unit": post.get("unit", ""),
        "min_value": post.get("min_value"),
        "max_value": post.get("max_value"),
    }


def _edited(definition, post):
    """The definition after the builder action in `post`; raises ValidationError."""
    action = post.get("action", "")
    step = -1 if post.get("direction") == "up" else 1
    if action == "rename_form":
        return form_services.rename_form(
            definition, name=post.get("name", ""), description=post.get("description", "")
        ), "Renamed the form"
    if action == "add_section":
        title = post.get("title", "").strip()
        if not title:
            raise ValidationError("Give the section a title.")
        # A section arrives with its first field: a stored form always has fields.
        with_section = form_services.add_section(definition, title=title)
        key = with_section.ordered_sections()[-1].key
        return form_services.add_field(
            with_section, section=key, key=post.get("key", ""), **_field_attrs(post)
        ), f"Added section {title}"
    if action == "add_outcome_block":
        title = post.get("title", "").strip()
        return form_services.add_outcome_block(definition, title=title), (
            f"Added outcome data for {title}"
        )
    if action == "update_section":
        return form_services.update_section(
            definition,
            key=post.get("section", ""),
            title=post.get("title", ""),
            description=post.get("description", ""),
        ), "Edited a section"
    if action == "delete_section":
        return form_services.delete_section(definition, key=post.get("section", "")), (
            "Removed a section"
        )
    if action == "move_section":
        return form_services.move_section(definition, key=post.get("section", ""), step=step), (
            "Reordered sections"
        )
    if action == "add_field":
        return form_services.add_field(
            definition,
            section=post.get("section", ""),
            key=post.get("key", ""),
            **_field_attrs(post),
        ), f"Added field {post.get('label', '')}"
    if action == "update_field":
        return form_services.update_field(
            definition, key=post.get("field", ""), **_field_attrs(post)
        ), (f"Edited field {post.get('field', '')}")
    if action == "delete_field":
        return form_services.delete_field(definition, key=post.get("field", "")), (
            f"Removed field {post.get('field', '')}"
        )
    if action == "move_field":
        return form_services.move_field(definition, key=post.get("field", ""), step=step), (
            "Reordered fields"
        )
    raise ValidationError("Unknown form builder action.")


@review_view(Role.LEAD, methods=("POST",))
def extraction_form_edit(
    request: HttpRequest, review: Review, membership: Membership
) -> HttpResponse:
    """Every builder action saves a new version of the form; values are never touched."""
    action = request.POST.get("action", "")
    try:
        if action == "seed":
            form_services.use_seed_template(review=review, by=request.user)
            messages.success(request, "The seed review's abstraction table is now the form.")
        elif action == "import":
            upload = request.FILES.get("file")
            if upload is None or upload.size > MAX_IMPORT_BYTES:
                raise ValidationError("Choose a form JSON file (at most 1 MB).")
            form_services.import_form(review=review, text=upload.read(), by=request.user)
            messages.success(request, "Form imported.")
        else:
            version = selectors.current_form(review=review)
            definition = selectors.definition_of(version) or form_services.empty_definition()
            new_definition, note = _edited(definition, request.POST)
            form_services.save_form(
                review=review, definition=new_definition, by=request.user, note=note
            )
            messages.success(request, f"{note}.")
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    anchor = request.POST.get("field") or request.POST.get("section") or ""
    url = redirect("extraction_form", review.pk).url
    return redirect(f"{url}#{anchor}" if anchor else url)


@review_view(Role.VIEWER)
def extraction_form_export(
    request: HttpRequest, review: Review, membership: Membership
) -> HttpResponse:
    """The current form as JSON, for reuse in another review (or another tool)."""
    definition = selectors.definition_of(selectors.current_form(review=review))
    if definition is None:
        definition = form_services.empty_definition()
    response = HttpResponse(
        dumps_definition(definition), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="extraction-form-review-{review.pk}.json"'
    )
    return response


urlpatterns = [
    path("extraction/form/", extraction_form, name="extraction_form"),
    path("extraction/form/edit/", extraction_form_edit, name="extraction_form_edit"),
    path("extraction/form/export/", extraction_form_export, name="extraction_form_export"),
]
