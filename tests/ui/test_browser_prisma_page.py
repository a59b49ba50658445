"""The PRISMA page in Chromium: the diagram takes the width, with readable type."""

import pytest


@pytest.mark.browser
def test_point11_the_prisma_diagram_uses_the_width_with_readable_type(new_context, world):
    from tests.factories import make_batch, make_record

    batch = make_batch(world.review, source_name="PubMed")
    for _ in range(3):
        make_record(batch)
    page = new_context(world.viewer)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/reviews/{world.review.pk}/prisma/")
    svg = page.locator("[data-testid=prisma-svg] svg")
    box = svg.bounding_box()
    main = page.locator("main").bounding_box()
    assert box["width"] >= 0.7 * main["width"]
    # The numbers' rendered size: at least 14 px on screen (they were 11 px).
    size = svg.evaluate("s => s.querySelector('text').getBoundingClientRect().height")
    assert size >= 14
