"""The matcher on hand-written pairs, one per pitfall, through the public API."""

from screening.dedupe import DedupeRecord, find_duplicates, group_duplicates
from screening.dedupe.matcher import find_duplicates_normalised
from screening.dedupe.normalise import normalise_record
from screening.dedupe.records import DISTINCT, DUPLICATE, MAYBE, PairVerdict
from screening.dedupe.scoring import compare

ARTICLE = DedupeRecord(
    id=1,
    title="Intestinal lipoprotein overproduction in insulin-resistant states",
    authors=("Adeli, Khosrow", "Lewis, Gary F."),
    year=2008,
    journal="Current Opinion in Lipidology",
    volume="19",
    issue="3",
    pages="221-226",
    doi="10.1097/MOL.0b013e3282ffaf82",
)


def copy(**changes) -> DedupeRecord:
    fields = {**ARTICLE.__dict__, "id": 2, **changes}
    return DedupeRecord(**fields)


def verdict(a: DedupeRecord, b: DedupeRecord):
    return compare(normalise_record(a), normalise_record(b), title_floor=0)


def only_pair(records) -> PairVerdict | None:
    pairs = find_duplicates(records)
    assert len(pairs) <= 1
    return pairs[0] if pairs else None


def mentions(pair, text: str) -> bool:
    return any(text in reason for reason in pair.reasons)


def test_it_merges_same_doi_whatever_the_formatting():
    other = copy(
        doi="https://doi.org/10.1097/mol.0b013e3282ffaf82", authors=("Adeli K", "Lewis GF")
    )
    pair = only_pair([ARTICLE, other])
    assert pair.decision == DUPLICATE
    assert (pair.a, pair.b) == (1, 2)
    assert mentions(pair, "same DOI")


def test_it_merges_same_pmid():
    pair = only_pair([copy(id=1, doi="", pmid="18460911"), copy(doi="", pmid="PMID:18460911")])
    assert pair.decision == DUPLICATE
    assert mentions(pair, "same PMID")


def test_it_merges_abbreviated_exports_without_identifiers():
    """Smith J vs John Smith, abbreviated journal, 221-6 vs 221-226, no DOI."""
    other = copy(
        doi="",
        title="Intestinal lipoprotein overproduction in insulin resistant states.",
        authors=("K. Adeli", "G. F. Lewis"),
        journal="Curr Opin Lipidol",
        pages="221-6",
    )
    pair = only_pair([ARTICLE, other])
    assert pair.decision == DUPLICATE
    assert mentions(pair, "pages 221-226 = 221-6")
    assert mentions(pair, "journal names agree")
    assert mentions(pair, "authors agree")


def test_it_handles_translated_title_brackets():
    original = copy(id=1, doi="", title="Effect of vaccine on tuberculous pleurisy")
    translated = copy(doi="", title="[Effect of vaccine on tuberculous pleurisy]. [Chinese]")
    pair = only_pair([original, translated])
    assert pair.decision == DUPLICATE
    assert mentions(pair, "titles identical")


def test_it_tolerates_one_year_for_online_first_with_same_place():
    pair = only_pair([ARTICLE, copy(doi="", year=2007)])
    assert pair.decision == DUPLICATE
    assert mentions(pair, "years differ by 1")


def test_it_asks_a_person_about_one_year_without_other_evidence():
    bare = copy(doi="", year=2009, volume="", pages="", journal="")
    pair = only_pair([ARTICLE, bare])
    assert pair.decision == MAYBE
    assert mentions(pair, "years differ by 1")


def test_it_never_merges_an_erratum_with_its_article():
    """Under the article's title in its volume it is offered to a person, no more."""
    erratum = copy(title="Erratum: " + ARTICLE.title, pages="1001")
    (pair,) = find_duplicates([ARTICLE, erratum])
    assert pair.decision == MAYBE
    assert pair.reasons == ("one is an erratum notice under the other's title: never merged "
                            "automatically",)  # fmt: skip
    elsewhere = copy(title="Erratum: " + ARTICLE.title, pages="1001", volume="20")
    result = verdict(ARTICLE, elsewhere)
    assert result.decision == DISTINCT
    assert any("erratum notice: never merged" in r for r in result.reasons)
    assert find_duplicates([ARTICLE, elsewhere]) == []


def test_it_never_merges_a_notice_even_sharing_the_doi():
    retraction = copy(title="Retraction notice: " + ARTICLE.title)
    assert find_duplicates([ARTICLE, retraction]) == []
    assert "retraction" in verdict(ARTICLE, retraction).reasons[0]


def test_it_never_merges_comment_or_reply_with_the_article():
    for title in ("Comment on: " + ARTICLE.title, "Reply to: " + ARTICLE.title):
        assert find_duplicates([ARTICLE, copy(doi="", title=title)]) == []


def test_an_article_annotated_with_its_erratum_is_not_a_notice():
    annotated = copy(
        doi="", title=ARTICLE.title + ".[Erratum appears in Curr Opin Lipidol 2008;19:400]"
    )
    assert only_pair([ARTICLE, annotated]).decision == DUPLICATE


def test_it_never_merges_part_one_with_part_two():
    one = copy(id=1, doi="", title="Insulin resistance and lipoproteins. Part I: mechanisms")
    two = copy(doi="", title="Insulin resistance and lipoproteins. Part II: mechanisms")
    result = verdict(one, two)
    assert result.decision == DISTINCT
    assert "part 1 vs part 2" in result.reasons[0]


def test_conference_abstract_and_journal_article_are_maybe_at_most():
    abstract = copy(
        doi="", journal="Diabetologia.Conference: 44th EASD Annual Meeting", pages="S12",
        publication_type="Conference Abstract",
    )  # fmt: skip
    pair = only_pair([ARTICLE, abstract])
    assert pair is None or pair.decision == MAYBE
    result = verdict(ARTICLE, copy(doi="", publication_type="Conference Abstract", pages=""))
    assert result.decision == MAYBE
    assert any("conference abstract vs journal article" in r for r in result.reasons)


def test_preprint_and_published_version_are_maybe():
    preprint = copy(
        doi="10.1101/2020.01.01.123456", journal="medRxiv", volume="", pages="", issue=""
    )
    result = verdict(ARTICLE, preprint)
    assert result.decision == MAYBE
    assert any("preprint vs published" in r for r in result.reasons)


def test_different_dois_are_strong_evidence_against():
    other = copy(doi="10.1097/MOL.0000000000000999", year=2010, volume="21", pages="100-110")
    assert find_duplicates([ARTICLE, other]) == []


def test_versioned_dois_are_for_a_person():
    a = copy(id=1, doi="10.1002/14651858.CD002273.pub2", year=2004)
    b = copy(doi="10.1002/14651858.CD002273.pub3", year=2005)
    pair = only_pair([a, b])
    assert pair.decision == MAYBE
    assert mentions(pair, "differ only by version")


def test_unrelated_records_are_not_reported():
    other = DedupeRecord(
        id=3, title="Statins in the elderly: a cohort study", authors=("Brown, A",)
    )
    assert find_duplicates([ARTICLE, other]) == []


def test_new_ids_limits_pairs_to_those_touching_a_new_record():
    old_twin = copy(id=2, doi="")
    new_twin = copy(id=3, doi="", authors=("Adeli K", "Lewis G"))
    everything = find_duplicates([ARTICLE, old_twin, new_twin])
    assert {(p.a, p.b) for p in everything} == {(1, 2), (1, 3), (2, 3)}
    fresh = find_duplicates([ARTICLE, old_twin, new_twin], new_ids={3})
    assert {(p.a, p.b) for p in fresh} == {(1, 3), (2, 3)}


def test_records_normalised_beforehand_get_the_same_verdicts():
    # The service normalises each record as it reads it, then matches the normalised ones.
    records = [ARTICLE, copy(id=2, doi=""), copy(id=3, doi="", authors=("Adeli K", "Lewis G"))]
    records += [copy(id=4, title="Part II", doi=""), copy(id=5, issue="4", doi="")]
    normalised = [normalise_record(r) for r in records]
    for new_ids in (None, {3}, {4, 5}):
        assert find_duplicates_normalised(normalised, new_ids=new_ids) == find_duplicates(
            records, new_ids=new_ids
        )
        assert find_duplicates(records, new_ids=new_ids)  # not vacuous


def test_pair_order_is_stable_for_string_ids():
    pair = only_pair([copy(id="rec-b"), copy(id="rec-a")])
    assert (pair.a, pair.b) == ("rec-a", "rec-b")


def test_group_duplicates_chains_certain_pairs_and_ignores_maybes():
    pairs = [
        PairVerdict(1, 2, 1.0, DUPLICATE, ("same DOI",)),
        PairVerdict(2, 3, 0.95, DUPLICATE, ("titles identical",)),
        PairVerdict(3, 4, 0.8, MAYBE, ("years differ by 1",)),
        PairVerdict(5, 6, 0.97, DUPLICATE, ("same PMID",)),
    ]
    assert group_duplicates(pairs) == [frozenset({1, 2, 3}), frozenset({5, 6})]
    assert group_duplicates([]) == []


def test_a_mistyped_issue_is_forgiven_for_a_one_off_title():
    a = copy(id=1, issue="3", doi="")
    b = copy(id=2, issue="4", doi="")
    pair = only_pair([a, b])
    assert pair.decision == DUPLICATE
    assert mentions(pair, "issue taken for a typo")


def test_a_title_at_three_places_is_a_recurring_item_whose_issues_count():
    """A column under one title in three issues at the same first page (per-issue
    pagination): the issue is no typo, and the records are never merged."""
    records = [copy(id=n, issue=str(n), doi="") for n in (1, 2, 3)]
    pairs = find_duplicates(records)
    assert pairs and all(p.decision != DUPLICATE for p in pairs)
    assert not any(mentions(p, "issue taken for a typo") for p in pairs)


def test_a_range_running_backwards_is_no_page_evidence():
    a, b = normalise_record(copy(pages="2297-2108")), normalise_record(copy(pages="2097-2108"))
    assert (a.page_start, a.page_end) == ("", "")
    assert (b.page_start, b.page_end) == ("2097", "2108")


def test_the_cycle_collector_is_paused_only_while_matching():
    import gc

    records = [
        copy(id=n, title=f"Lipoprotein study number {n} of insulin resistance", doi="", pages="")
        for n in range(400)
    ]
    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    assert gc.isenabled()
    gc.collect()  # the allocation counters start at zero
    gc.callbacks.append(count)
    try:
        find_duplicates(records)
    finally:
        gc.callbacks.remove(count)
    # 400 records make tens of thousands of objects: with the collector on, about 15
    # collections run during the call; paused, only the young generation's catch-up
    # when it resumes.
    assert collections in ([], [0])
    assert gc.isenabled()
    gc.disable()
    try:
        find_duplicates(records[:2])
        assert not gc.isenabled()  # a caller's own choice is left as it was
    finally:
        gc.enable()


def test_blocking_pairs_records_sharing_a_key_once_and_skips_keys_of_one_record():
    from screening.dedupe.blocking import candidate_pairs

    records = [normalise_record(ARTICLE.__class__(id=i, title=f"record {i}")) for i in range(5)]
    keys = {0: [("k", "a"), ("k", "b")], 1: [("k", "a"), ("k", "b")], 2: [("k", "a")],
            3: [("k", "c")], 4: [("k", "d"), ("k", "b")]}  # fmt: skip
    found = list(candidate_pairs(records, keys=lambda r: keys[r.id]))
    assert sorted(found) == [(0, 1), (0, 2), (0, 4), (1, 2), (1, 4)]
    assert len(found) == len(set(found))
