"""Risk-of-bias judgements are told by symbol and shape as well as colour."""

import re

from django.core.management import call_command

from reviewapp.models import Review, Role


def test_every_traffic_light_cell_has_a_symbol_and_a_text_label(db, client_for):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    review = Review.objects.get()
    lead = review.memberships.get(role=Role.LEAD).user
    html = client_for(lead).get(f"/reviews/{review.pk}/risk-of-bias/").content.decode()
    cells = re.findall(
        r'<td><span class="rob-dot rob-(\w+)" title="([^"]+)" aria-hidden="true">([^<]*)</span>'
        r'<span class="visually-hidden">([^<]+)</span></td>',
        html,
    )
    assert cells, "no traffic-light cells"
    symbols = {"low": "+", "high": "×", "unclear": "?", "some_concerns": "−", "none": ""}
    for key, title, symbol, label in cells:
        assert symbol == symbols[key] and title == label
    assert {key for key, *_ in cells} >= {"low", "high"}
    assert 'data-testid="rob-legend"' in html
