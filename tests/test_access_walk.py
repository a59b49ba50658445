"""Walk every route of the URLconf as anonymous, outsider, viewer, reviewer, lead and owner.

A route missing from ROUTES fails the suite: a new page or endpoint must say who may use it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reviewapp.models import Invitation, Role

PUBLIC = "public"
LOGGED_IN = "logged_in"
ACTORS = ["anonymous", "outsider", "viewer", "reviewer", "lead", "owner"]
ROLE_OF_ACTOR = {
    "viewer": Role.VIEWER,
    "reviewer": Role.REVIEWER,
    "lead": Role.LEAD,
    "owner": Role.OWNER,
}

# name -> PUBLIC | LOGGED_IN | {HTTP method: least role}
ROUTES: dict[str, object] = {
    "home": LOGGED_IN,
    "login": PUBLIC,
    "logout": PUBLIC,
    "password_change": LOGGED_IN,
    "password_change_done": LOGGED_IN,
    "signup": PUBLIC,
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,
    "password_reset_complete": PUBLIC,
    "api_token": LOGGED_IN,
    "invitation_accept": PUBLIC,
    "review_create": LOGGED_IN,
    "review_dashboard": {"GET": Role.VIEWER},
    "review_edit": {"GET": Role.LEAD, "POST": Role.LEAD},
    "members": {"GET": Role.VIEWER},
    "member_add": {"POST": Role.OWNER},
    "member_role": {"POST": Role.OWNER},
    "member_remove": {"POST": Role.OWNER},
    "review_leave": {"POST": Role.VIEWER},
    # screening: imports and deduplication
    "import_list": {"GET": Role.VIEWER},
    "import_create": {"POST": Role.LEAD},
    "import_detail": {"GET": Role.VIEWER},
    "import_status": {"GET": Role.VIEWER},
    "import_retry": {"POST": Role.LEAD},
    "import_delete": {"POST": Role.LEAD},
    "duplicates": {"GET": Role.VIEWER},
    "pair_confirm": {"POST": Role.LEAD},
    "pair_reject": {"POST": Role.LEAD},
    "pairs_bulk": {"POST": Role.LEAD},
    "duplicate_groups": {"GET": Role.VIEWER},
    "group_unmerge": {"POST": Role.LEAD},
    "group_primary": {"POST": Role.LEAD},
    "api:import_list": {"GET": Role.VIEWER, "POST": Role.LEAD},
    "api:import_detail": {"GET": Role.VIEWER, "DELETE": Role.LEAD},
    "api:import_retry": {"POST": Role.LEAD},
    "api:duplicate_group_list": {"GET": Role.VIEWER},
    "api:duplicate_group_unmerge": {"POST": Role.LEAD},
    "api:duplicate_pair_list": {"GET": Role.VIEWER},
    "api:duplicate_pair_confirm": {"POST": Role.LEAD},
    "api:duplicate_pair_reject": {"POST": Role.LEAD},
    # screening: votes, queue, conflicts, full text, agreement, settings
    "screen": {"GET": Role.REVIEWER},
    "screen_back": {"GET": Role.REVIEWER},
    "screen_record": {"GET": Role.REVIEWER},
    "screen_vote": {"POST": Role.REVIEWER},
    "my_votes": {"GET": Role.REVIEWER},
    "conflicts": {"GET": Role.LEAD},
    "lead_decide": {"POST": Role.LEAD},
    "record_detail": {"GET": Role.LEAD},
    "fulltext_list": {"GET": Role.VIEWER},
    "fulltext_upload": {"POST": Role.REVIEWER},
    "fulltext_not_retrieved": {"POST": Role.REVIEWER},
    "fulltext_file": {"GET": Role.VIEWER},
    "agreement": {"GET": Role.LEAD},
    "screening_settings": {"GET": Role.LEAD, "POST": Role.LEAD},
    "reason_add": {"POST": Role.LEAD},
    "reason_update": {"POST": Role.LEAD},
    "api:queue_next": {"GET": Role.REVIEWER},
    "api:vote_list": {"GET": Role.REVIEWER, "POST": Role.REVIEWER},
    "api:vote_detail": {"GET": Role.REVIEWER, "PATCH": Role.REVIEWER},
    "api:conflict_list": {"GET": Role.LEAD},
    "api:resolution_list": {"GET": Role.LEAD, "POST": Role.LEAD},
    "api:agreement": {"GET": Role.LEAD},
    "api:fulltext": {"GET": Role.VIEWER, "POST": Role.REVIEWER},
    "api:screening_settings": {"GET": Role.VIEWER, "PATCH": Role.LEAD},
    "api:reason_list": {"GET": Role.VIEWER, "POST": Role.LEAD},
    "api:reason_detail": {"GET": Role.VIEWER, "PATCH": Role.LEAD, "DELETE": Role.LEAD},
    # screening: records list and table exports
    "record_list": {"GET": Role.VIEWER},
    "exports": {"GET": Role.VIEWER},
    "export_records": {"GET": Role.VIEWER},
    "export_votes": {"GET": Role.REVIEWER},
    "export_conflicts": {"GET": Role.LEAD},
    "export_included": {"GET": Role.VIEWER},
    "export_asreview": {"GET": Role.VIEWER},
    "export_revman": {"GET": Role.VIEWER},
    "api:record_list": {"GET": Role.VIEWER},
    "api:export_records": {"GET": Role.VIEWER},
    "api:export_votes": {"GET": Role.REVIEWER},
    "api:export_conflicts": {"GET": Role.LEAD},
    "api:export_included": {"GET": Role.VIEWER},
    # screening: tags
    "tag_list": {"GET": Role.VIEWER, "POST": Role.LEAD},
    "tag_update": {"POST": Role.LEAD},
    "record_tag": {"POST": Role.REVIEWER},
    "api:tag_list": {"GET": Role.VIEWER, "POST": Role.LEAD},
    "api:tag_detail": {"GET": Role.VIEWER, "PATCH": Role.LEAD, "DELETE": Role.LEAD},
    "api:record_tags": {"GET": Role.VIEWER, "POST": Role.REVIEWER},
    "api:record_tag_detail": {"DELETE": Role.REVIEWER},
    "records_bulk": {"POST": Role.LEAD},
    "records_actions": {"GET": Role.LEAD},
    "records_action_undo": {"POST": Role.LEAD},
    "record_comments": {"GET": Role.VIEWER, "POST": Role.REVIEWER},
    "comment_change": {"POST": Role.REVIEWER},
    "api:record_comments": {"GET": Role.VIEWER, "POST": Role.REVIEWER},
    "api:comment_detail": {"PATCH": Role.REVIEWER, "DELETE": Role.REVIEWER},
    "api:records_bulk": {"POST": Role.LEAD},
    "api:records_actions": {"GET": Role.LEAD},
    "api:records_action_undo": {"POST": Role.LEAD},
    "api:export_asreview": {"GET": Role.VIEWER},
    "api:export_revman": {"GET": Role.VIEWER},
    # extraction: studies, form, sheets, consensus, evidence table, risk of bias
    "extraction_home": {"GET": Role.VIEWER},
    "extraction_settings": {"GET": Role.LEAD, "POST": Role.LEAD},
    "extraction_study_link": {"POST": Role.LEAD},
    "extraction_study_unlink": {"POST": Role.LEAD},
    "extraction_study_rename": {"POST": Role.LEAD},
    "extraction_study_assign": {"POST": Role.LEAD},
    "extraction_form": {"GET": Role.VIEWER},
    "extraction_form_edit": {"POST": Role.LEAD},
    "extraction_form_export": {"GET": Role.VIEWER},
    "extraction_sheet": {"GET": Role.REVIEWER, "POST": Role.REVIEWER},
    "extraction_sheet_submit": {"POST": Role.REVIEWER},
    "extraction_compare": {"GET": Role.REVIEWER},
    "extraction_consensus": {"POST": Role.REVIEWER},
    "extraction_evidence": {"GET": Role.VIEWER},
    "extraction_evidence_export": {"GET": Role.VIEWER},
    "extraction_evidence_r_file": {"GET": Role.VIEWER},
    "extraction_rob": {"GET": Role.VIEWER},
    "extraction_rob_svg": {"GET": Role.VIEWER},
    "extraction_rob_png": {"GET": Role.VIEWER},
    "api:extraction_form": {"GET": Role.VIEWER, "PUT": Role.LEAD},
    "api:extraction_seed_template": {"GET": Role.VIEWER, "POST": Role.LEAD},
    "api:extraction_settings": {"GET": Role.VIEWER, "PATCH": Role.LEAD},
    "api:extraction_study_list": {"GET": Role.VIEWER},
    "api:extraction_sheet_mine": {"GET": Role.REVIEWER, "PUT": Role.REVIEWER},
    "api:extraction_sheets": {"GET": Role.REVIEWER},
    "api:extraction_consensus": {"GET": Role.VIEWER, "PUT": Role.REVIEWER},
    "api:evidence_table": {"GET": Role.VIEWER},
    "api:evidence_table_for_r": {"GET": Role.VIEWER},
    "api:rob_summary": {"GET": Role.VIEWER},
    # PRISMA
    "prisma": {"GET": Role.VIEWER},
    "prisma_live": {"GET": Role.VIEWER},
    "prisma_download": {"GET": Role.VIEWER},
    "prisma_options": {"GET": Role.LEAD, "POST": Role.LEAD},
    "api:prisma": {"GET": Role.VIEWER},
    # search rounds and the PRISMA-S search log
    "search_log": {"GET": Role.VIEWER},
    "search_round_add": {"POST": Role.LEAD},
    "search_round_delete": {"POST": Role.LEAD},
    "search_log_add": {"POST": Role.LEAD},
    "search_log_edit": {"GET": Role.LEAD, "POST": Role.LEAD},
    "search_log_delete": {"POST": Role.LEAD},
    "search_log_csv": {"GET": Role.VIEWER},
    "search_log_json": {"GET": Role.VIEWER},
    "search_log_md": {"GET": Role.VIEWER},
    "search_log_html": {"GET": Role.VIEWER},
    "api:search_round_list": {"GET": Role.VIEWER, "POST": Role.LEAD},
    "api:search_log_list": {"GET": Role.VIEWER, "POST": Role.LEAD},
    "api:search_log_export": {"GET": Role.VIEWER},
    "api:search_log_detail": {"GET": Role.VIEWER, "PATCH": Role.LEAD, "DELETE": Role.LEAD},
    # the methods text (lead: it states agreement and conflict figures)
    "report": {"GET": Role.LEAD},
    "report_markdown": {"GET": Role.LEAD},
    "api:report_methods": {"GET": Role.LEAD},
    # relevance ranking and stopping
    "ranking": {"GET": Role.LEAD},
    "ranking_retrain": {"POST": Role.LEAD},
    "ranking_stop": {"POST": Role.LEAD},
    "ranking_undo": {"POST": Role.LEAD},
    "api:ranking_models": {"GET": Role.REVIEWER},
    "api:ranking_stopping": {"GET": Role.LEAD},
    "api:ranking_stops": {"GET": Role.LEAD, "POST": Role.LEAD},
    "api:ranking_stop_undo": {"POST": Role.LEAD},
    "known_relevant": {"GET": Role.LEAD, "POST": Role.LEAD},
    "known_relevant_remove": {"POST": Role.LEAD},
    "api:known_relevant": {"GET": Role.LEAD, "POST": Role.LEAD},
    "api:known_relevant_entry": {"DELETE": Role.LEAD},
    "api:root": PUBLIC,
    "api:schema": PUBLIC,
    "api:docs": PUBLIC,
    "api:redoc": PUBLIC,
    "api:review_list": LOGGED_IN,
    "api:review_detail": {"GET": Role.VIEWER, "PATCH": Role.LEAD},
    "api:member_list": {"GET": Role.VIEWER, "POST": Role.OWNER, "DELETE": Role.VIEWER},
    "api:member_detail": {"GET": Role.VIEWER, "PATCH": Role.OWNER, "DELETE": Role.OWNER},
}


def _collect(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            ns = entry.namespace or namespace
            if entry.namespace and namespace:
                ns = f"{namespace}:{entry.namespace}"
            yield from _collect(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, prefix + str(entry.pattern)


ALL_ROUTES = sorted(set(_collect(get_resolver().url_patterns)))


def test_it_lists_every_route():
    unnamed = [route for name, route in ALL_ROUTES if not name]
    assert not unnamed, f"routes without a name: {unnamed}"
    missing = sorted({name for name, _ in ALL_ROUTES} - set(ROUTES))
    assert not missing, f"routes with no access rule in ROUTES: {missing}"


def _kwargs_for(route: str, world) -> dict:
    """Values for each URL parameter, taken from the shared world."""
    # Called once per actor: reuse the open invitation (one per e-mail is allowed). It
    # goes to the outsider's address: only the invited address may open it signed in.
    invitation = Invitation.objects.filter(
        review=world.review, email=world.outsider.email, accepted_at__isnull=True
    ).first() or Invitation.objects.create(
        review=world.review, email=world.outsider.email, invited_by=world.owner
    )
    values = {
        "review_id": world.review.pk,
        "member_id": world.membership(world.reviewer2).pk,
        "token": invitation.token,
        "fmt": "svg",
        "uidb64": "MQ",  # an invalid reset link: the page says so
        **_screening_objects(world),
    }
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    missing = [n for n in names if n not in values]
    assert not missing, f"test_access_walk does not know how to fill {missing} in {route}"
    return {n: values[n] for n in names}


def _screening_objects(world) -> dict:
    """One import, a pending pair and a duplicate group in the world's review."""
    from screening.models import CandidatePair, DuplicateGroup, RecordState
    from tests.factories import make_batch, make_record

    batch = make_batch(world.review)
    a, b, c, d = (make_record(batch, title=f"Record {i}") for i in range(4))
    pair = CandidatePair.objects.create(
        review=world.review, record_a=a, record_b=b, score=0.8, automatic=False
    )
    group = DuplicateGroup.objects.create(review=world.review, primary=c)
    c.duplicate_group = d.duplicate_group = group
    c.save()
    d.state, d.state_before_merge = RecordState.DUPLICATE, RecordState.TA
    d.save()
    from screening.models import StoppingDecision
    from screening.selectors.ranking import stopping_evidence
    from tests.extraction.factories import walk_objects as extraction_objects
    from tests.screening.factories import walk_objects

    stop = StoppingDecision.objects.create(
        review=world.review,
        rule="lead",
        stopped_by=world.lead,
        evidence=stopping_evidence(review=world.review).as_dict(),
    )
    from screening.services.search_log import add_round, create_entry

    update = add_round(review=world.review)
    entry = create_entry(review=world.review, round_=update, source_name="Embase")
    from screening.models import KnownRelevant, RecordsAction

    known = KnownRelevant.objects.create(
        review=world.review, line=a.title, kind="title", key=f"record {a.pk}", record=a
    )
    records_action = RecordsAction.objects.create(
        review=world.review, actor=world.lead, kind="not_retrieved", count=0
    )
    return {
        "known_id": known.pk,
        "action_id": records_action.pk,
        "round_id": update.pk,
        "entry_id": entry.pk,
        "stop_id": stop.pk,
        "import_id": batch.pk,
        "pair_id": pair.pk,
        "group_id": group.pk,
        **walk_objects(world),
        **extraction_objects(world),
    }


def _request(client, method: str, url: str):
    data = {} if method in ("GET", "HEAD", "DELETE") else {}
    kwargs = (
        {"content_type": "application/json"}
        if url.startswith("/api/") and method in ("PATCH", "PUT")
        else {}
    )
    return (
        getattr(client, method.lower())(url, data, **kwargs)
        if method != "DELETE"
        else client.delete(url)
    )


def _login(client, world, actor):
    client.logout()
    if actor != "anonymous":
        client.force_login(world.user(actor))


SCOPED = [
    (name, route, method)
    for name, route in ALL_ROUTES
    if isinstance(ROUTES.get(name), dict)
    for method in ROUTES[name]
]
UNSCOPED = [(name, route) for name, route in ALL_ROUTES if ROUTES.get(name) in (PUBLIC, LOGGED_IN)]


# Routes to one member's own object (world.reviewer's vote): the blinding policy answers
# anyone else as if it did not exist (404), whatever their role.
HIDDEN_FROM_OTHERS = {"api:vote_detail"}


@pytest.mark.parametrize(
    ("name", "route", "method"), SCOPED, ids=[f"{n}-{m}" for n, _, m in SCOPED]
)
def test_it_guards_review_scoped_route(client, world, name, route, method):
    least = ROUTES[name][method]
    for actor in ACTORS:
        # Fresh objects for every actor: an allowed actor before may have deleted them.
        url = reverse(name, kwargs=_kwargs_for(route, world))
        is_api = url.startswith("/api/")
        _login(client, world, actor)
        response = _request(client, method, url)
        status = response.status_code
        if actor == "anonymous":
            if is_api:
                assert status in (401, 403), f"{method} {url} as anonymous gave {status}"
            else:
                assert status == 302 and "/accounts/login/" in response["Location"], (
                    f"{method} {url} as anonymous gave {status}"
                )
        elif actor == "outsider":
            assert status == 404, f"{method} {url} as outsider gave {status}"
        elif ROLE_OF_ACTOR[actor].at_least(least):
            hidden = (404,) if name in HIDDEN_FROM_OTHERS and actor != "reviewer" else ()
            refused = {401, 403, 404, 500} - set(hidden)
            assert status not in refused, f"{method} {url} as {actor} gave {status}"
        else:
            assert status == 403, f"{method} {url} as {actor} (needs {least}) gave {status}"


@pytest.mark.parametrize(("name", "route"), UNSCOPED, ids=[n for n, _ in UNSCOPED])
def test_it_guards_unscoped_route(client, world, name, route):
    url = reverse(name, kwargs=_kwargs_for(route, world))
    method = "POST" if name == "logout" else "GET"
    _login(client, world, "anonymous")
    anonymous = _request(client, method, url)
    _login(client, world, "outsider")
    signed_in = _request(client, method, url)
    if ROUTES[name] == LOGGED_IN:
        assert anonymous.status_code in (302, 401, 403), (
            f"{url} as anonymous gave {anonymous.status_code}"
        )
        assert signed_in.status_code == 200, f"{url} signed in gave {signed_in.status_code}"
    else:
        assert anonymous.status_code not in (401, 403, 500), (
            f"{url} as anonymous gave {anonymous.status_code}"
        )
        assert signed_in.status_code not in (401, 403, 500)
