"""A new review's dashboard: next steps ticked as they are done, and no empty bars drawn full."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from reviewapp import services
from reviewapp.models import Membership, Role
from tests.conftest import make_user
from tests.imports_dedupe.fixtures import RIS_THREE


def _steps(html: str) -> dict[str, bool]:
    return {
        key: done == "1" for key, done in re.findall(r'data-step="(\w+)" data-done="(\d)"', html)
    }


def test_a_new_review_lists_the_next_steps_and_ticks_them_off(
    db, client_for, django_capture_on_commit_callbacks
):
    owner = make_user("nora")
    review = services.create_review(owner=owner, title="A brand new review")
    client = client_for(owner)
    url = f"/reviews/{review.pk}/"
    html = client.get(url).content.decode()
    assert 'data-testid="first-steps"' in html
    assert _steps(html) == {"import": False, "settings": False, "invite": False, "screen": False}
    assert 'class="progress-bar"' not in html  # no 0/0 bar drawn full
    assert "Nothing to screen yet: import records first." in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/reviews/{review.pk}/imports/new/",
            {
                "files": [SimpleUploadedFile("embase.ris", RIS_THREE)],
                "source_name": "Embase",
                "source_kind": "database",
            },
        )
    assert response.status_code == 302
    assert _steps(client.get(url).content.decode())["import"] is True

    client.post(
        f"/reviews/{review.pk}/screening/settings/",
        {
            "votes_needed_ta": 2,
            "votes_needed_ft": 2,
            "blind": "on",
            "highlight_include": "naltrex*",
            "highlight_exclude": "",
            "ranking_enabled": "on",
        },
    )
    assert _steps(client.get(url).content.decode())["settings"] is True

    Membership.objects.create(review=review, user=make_user("ravi"), role=Role.REVIEWER)
    html = client.get(url).content.decode()
    assert _steps(html) == {"import": True, "settings": True, "invite": True, "screen": False}
    assert 'class="progress-bar"' in html  # now there is something to count


def test_the_steps_go_away_once_everything_is_done(world, client_for):
    from django.core.management import call_command

    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from reviewapp.models import Review

    demo = Review.objects.get(title__endswith="(demo)")
    lead = demo.memberships.get(role=Role.LEAD).user
    html = client_for(lead).get(f"/reviews/{demo.pk}/").content.decode()
    assert 'data-testid="first-steps"' not in html
