"""The rows of the records list (templates/screening/records/list.html), written out in
Python: formatting only, never a query.

A row in the template language cost about as much as the rest of the page: some forty
variable lookups, filters and `if` nodes per row, 50 to 500 rows a page (issue 14: at
100,000 records the rows were a third of the records page's time). The markup is the
one the template had; `tests/records_exports/test_records_rows.py` reads it back.
"""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from screening.templatetags.screening_tags import clip, tag_chips

register = template.Library()

TAG_BUTTON = (
    '<button type="button" class="btn btn-link btn-sm p-0 small text-body-secondary '
    'text-decoration-none" data-tag-open aria-expanded="false" data-testid="tag-open">tag</button>'
)


@register.simple_tag
def record_rows(
    rows, *, is_lead: bool, shows_votes: bool, search_hl, records_url: str, tag_button: bool
) -> SafeString:
    """The table rows of `rows` ((record, cells, shown tags) of the view): the lead's
    checkbox and link to the record, the title (with the search's hits and the abstract's
    when searching), the columns, one cell per stage (screening.selectors.records.StageCell,
    already blinded) and the tags, with the "tag" button when the member may tag."""
    # Every field below goes through escape(), format_html or an escaping helper.
    return mark_safe(  # noqa: S308
        "".join(
            _row(
                record,
                cells,
                shown_tags,
                is_lead=is_lead,
                shows_votes=shows_votes,
                search_hl=search_hl,
                records_url=records_url,
                tag_button=tag_button,
            )
            for record, cells, shown_tags in rows
        )
    )


def _row(record, cells, shown_tags, *, is_lead, shows_votes, search_hl, records_url, tag_button):
    pk = record.pk
    if search_hl is not None:
        title = search_hl(record.title or "(no title)")
    else:
        title = escape(clip(record.title, 160) or "(no title)")
    if is_lead:
        title = f'<a href="{escape(records_url)}{pk}/screening/">{title}</a>'
    if search_hl is not None and record.abstract:
        title += (
            '<div class="text-body-secondary" data-testid="abstract-hit">'
            f"{search_hl(clip(record.abstract, 300))}</div>"
        )
    if record.doi:
        title += f'<div class="text-body-secondary">doi:{escape(record.doi)}</div>'
    checkbox = (
        f'<td><input type="checkbox" class="form-check-input" name="id" value="{pk}" '
        f'form="bulk-form" aria-label="Select record {pk}"></td>'
        if is_lead
        else ""
    )
    stages = "".join(_stage_cell(cell, shows_votes=shows_votes) for cell in cells)
    return (
        f'<tr data-testid="record" data-record="{pk}">{checkbox}<td>{title}</td>'
        f"<td>{escape(record.first_author or '—')}</td>"
        f"<td>{record.year or '—'}</td>"
        f"<td>{escape(record.batch.source_name)}</td>"
        f'<td data-testid="state">{escape(record.get_state_display())}</td>{stages}'
        f'<td><div class="record-tags d-flex flex-wrap align-items-center gap-1" '
        f'id="record-tags-{pk}" data-testid="record-tags" data-record="{pk}">'
        f"{tag_chips(shown_tags)}{TAG_BUTTON if tag_button else ''}</div></td></tr>\n"
    )


def _stage_cell(cell, *, shows_votes: bool) -> str:
    html = f'<td data-testid="stage-{cell.stage}">'
    if cell.status:
        if cell.status == "conflict":
            badge = "text-bg-warning"
        else:
            badge = {"Exclude": "text-bg-secondary", "Include": "text-bg-success"}.get(
                cell.decision, "text-bg-light"
            )
        label = cell.decision or cell.status_label
        html += f'<span class="badge {badge}">{escape(label)}</span>'
    if cell.reason:
        html += f"<div>{escape(cell.reason)}</div>"
    if shows_votes:
        html += "".join(_vote(vote) for vote in cell.votes)
    return html + "</td>"


def _vote(vote) -> str:
    reason = format_html(" ({})", vote.reason.label) if vote.reason_id else ""
    note = format_html(" — <em>{}</em>", clip(vote.note, 80)) if vote.note else ""
    return (
        f'<div class="text-body-secondary" data-testid="vote">{escape(vote.reviewer.username)}: '
        f"{escape(vote.get_verdict_display().lower())}{reason}{note}</div>"
    )
