"""The records list's rows, cell by cell, as each role sees them (written out by
screening/templatetags/records_table.py, not by the template language)."""

from __future__ import annotations

import re

from django.urls import reverse

from screening.services.tags import add_tag, create_tag
from tests.factories import make_batch, make_record


def row(client, world, record, query: str = "") -> str:
    url = reverse("record_list", args=[world.review.pk]) + (f"?{query}" if query else "")
    html = client.get(url).content.decode()
    found = re.search(rf'<tr data-testid="record" data-record="{record.pk}">(.*?)</tr>', html, re.S)
    assert found, f"record {record.pk} not listed"
    return found.group(1)


def cell(html: str, stage: str) -> str:
    return re.search(rf'<td data-testid="stage-{stage}">(.*?)</td>', html, re.S).group(1)


def test_it_gives_the_lead_a_checkbox_a_link_and_every_vote_of_a_conflict(
    client_for, world, screened
):
    record = screened.conflict
    html = row(client_for(world.lead), world, record)
    assert (
        f'<td><input type="checkbox" class="form-check-input" name="id" value="{record.pk}" '
        f'form="bulk-form" aria-label="Select record {record.pk}"></td>'
    ) in html
    records_url = reverse("record_list", args=[world.review.pk])
    assert (
        f'<td><a href="{records_url}{record.pk}/screening/">Low-dose naltrexone in fibromyalgia</a>'
        '<div class="text-body-secondary">doi:10.1000/fm.1</div></td>'
        "<td>Younger J</td><td>2013</td><td>PubMed</td>"
        '<td data-testid="state">Awaiting title/abstract screening</td>'
    ) in html
    assert cell(html, "ta") == (
        '<span class="badge text-bg-warning">Conflict</span>'
        '<div class="text-body-secondary" data-testid="vote">rita: include — '
        "<em>looks relevant</em></div>"
        '<div class="text-body-secondary" data-testid="vote">rafael: exclude '
        f"({screened.ta_reason.label}) — <em>rafael&#x27;s secret</em></div>"
    )
    assert cell(html, "ft") == ""


def test_it_shows_a_reviewer_only_their_own_vote_and_no_conflict(client_for, world, screened):
    html = row(client_for(world.reviewer), world, screened.conflict)
    assert "checkbox" not in html and "<a href" not in html
    assert "<td>Low-dose naltrexone in fibromyalgia<div" in html
    assert cell(html, "ta") == (
        '<span class="badge text-bg-light">In screening</span>'
        '<div class="text-body-secondary" data-testid="vote">rita: include — '
        "<em>looks relevant</em></div>"
    )


def test_it_shows_a_viewer_the_settled_decision_and_reason_without_votes(
    client_for, world, screened
):
    client = client_for(world.viewer)
    html = row(client, world, screened.ft_excluded)
    assert cell(html, "ta") == ""  # went straight to full text: never decided there
    assert cell(html, "ft") == (
        f'<span class="badge text-bg-secondary">Exclude</span><div>{screened.ft_reason.label}</div>'
    )
    assert cell(row(client, world, screened.resolved), "ta") == (
        '<span class="badge text-bg-success">Include</span>'
    )
    assert 'data-testid="tag-open"' not in html  # viewers do not tag


def test_it_escapes_the_fields_and_marks_what_is_missing(client_for, world):
    batch = make_batch(world.review, source_name="<Embase>")
    title = "<b>Naltrexone</b> & pain "  # 25 characters, then clipped to 160 in all
    record = make_record(batch, title=title + "x" * 200, abstract="")
    html = row(client_for(world.reviewer), world, record)
    assert "<td>&lt;b&gt;Naltrexone&lt;/b&gt; &amp; pain " + "x" * 134 + "…</td>" in html
    assert "…</td><td>—</td><td>—</td><td>&lt;Embase&gt;</td>" in html  # no author, no year
    untitled = make_record(batch, title="")
    assert "<td>(no title)</td>" in row(client_for(world.reviewer), world, untitled)


def test_it_marks_the_search_hits_in_the_title_and_the_abstract(client_for, world):
    batch = make_batch(world.review)
    record = make_record(
        batch, title="Low-dose naltrexone", abstract="We gave naltrexone. " + "Filler. " * 60
    )
    html = row(client_for(world.viewer), world, record, "q=naltrexone")
    hit = '<mark class="search-hit">naltrexone</mark>'
    assert f"<td>Low-dose {hit}" in html
    abstract = re.search(r'data-testid="abstract-hit">(.*?)</div>', html).group(1)
    assert abstract.startswith(f"We gave {hit}.") and abstract.endswith("…")


def test_it_shows_the_tags_and_the_tag_button_to_those_who_may_tag(client_for, world, screened):
    tag = create_tag(review=world.review, name="RCT <1>")
    add_tag(record=screened.open, tag=tag, by=world.lead)
    html = row(client_for(world.reviewer), world, screened.open)
    tags = re.search(r'<div class="record-tags[^>]*>(.*)</div></td>$', html, re.S).group(1)
    assert tags == (
        f'<span class="tag-chip tag-blue" data-testid="tag" data-tag="{tag.pk}" title="">'
        "RCT &lt;1&gt;</span>"
        '<button type="button" class="btn btn-link btn-sm p-0 small text-body-secondary '
        'text-decoration-none" data-tag-open aria-expanded="false" data-testid="tag-open">'
        "tag</button>"
    )
