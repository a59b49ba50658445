"""The PRISMA SVG export carries no host name: links are paths (or none at all)."""

import re

from tests.factories import make_batch, make_record


def _records(world, n=3):
    batch = make_batch(world.review, source_name="PubMed")
    return [make_record(batch) for _ in range(n)]


def test_the_svg_links_are_relative_by_default_and_can_be_left_out(client_for, world):
    _records(world)
    client = client_for(world.viewer)
    url = f"/reviews/{world.review.pk}/prisma/download/svg/"
    svg = client.get(url).content.decode()
    hrefs = re.findall(r' href="([^"]+)"', svg)
    assert hrefs and all(h.startswith(f"/reviews/{world.review.pk}/records/") for h in hrefs)
    outside = re.sub(r'xmlns(:xlink)?="http://www\.w3\.org/[^"]+"', "", svg)
    assert "http://" not in outside and "https://" not in outside and "testserver" not in svg
    bare = client.get(url + "?links=none").content.decode()
    assert "<a " not in bare and "<svg" in bare
    full = client.get(url + "?links=absolute").content.decode()
    assert 'href="http://testserver/reviews/' in full
