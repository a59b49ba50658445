"""Inter-rater agreement for screening decisions.

Votes are collapsed to two classes before anything is counted: "include" and
"maybe" both move a record on (DOMAIN.md: two include/maybe votes advance it), so
they form one class; "exclude" is the other. Reasons for exclusion are ignored here.

For two raters the 2×2 table is::

                    rater B include   rater B exclude
    rater A include       a                 b
    rater A exclude       c                 d

and we report observed agreement, Cohen's κ, Gwet's AC1 and PABAK, plus Byrt's
prevalence and bias indices that explain when κ and agreement disagree (κ is low
when nearly every record is excluded, even at 95 % agreement; AC1 and PABAK are not).

A statistic that cannot be computed (no items in common, or κ's 0/0 when both raters
put every item in the same class) is ``None`` and a sentence in ``notes`` says why:
the caller never sees a division by zero or a NaN.

For a whole stage with many reviewers, :func:`stage_agreement` returns every pair
and an overall summary computed with the multi-rater formulas in Gwet (2008) /
Gwet's Handbook (4th ed., ch. 2–4) that allow a different number of raters per item:
Fleiss' κ (generalised) and multi-rater AC1. It also gives the plain and
item-weighted means of the pairwise Cohen's κ, so a report can quote either.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

INCLUDE = "include"
EXCLUDE = "exclude"

# "maybe" joins "include" because both send the record to the next stage.
_CLASS_OF_VERDICT = {"include": INCLUDE, "maybe": INCLUDE, "exclude": EXCLUDE}


def verdict_class(verdict: object) -> str:
    """Map a vote ("include", "maybe", "exclude", any case) to ``INCLUDE`` or ``EXCLUDE``.

    Accepts plain strings and ``str`` enums such as Django ``TextChoices``; raises
    ``ValueError`` for anything else so a typo never counts silently as a vote.
    """
    key = str(getattr(verdict, "value", verdict)).strip().lower()
    try:
        return _CLASS_OF_VERDICT[key]
    except KeyError:
        raise ValueError(
            f"unknown verdict {verdict!r}; expected include, maybe or exclude"
        ) from None


@dataclass(frozen=True, slots=True)
class Table2x2:
    """Counts of paired votes; ``a_include_b_exclude`` is rater A include, rater B exclude."""

    both_include: int = 0
    a_include_b_exclude: int = 0
    a_exclude_b_include: int = 0
    both_exclude: int = 0

    @property
    def n(self) -> int:
        return (
            self.both_include
            + self.a_include_b_exclude
            + self.a_exclude_b_include
            + self.both_exclude
        )

    @property
    def agreements(self) -> int:
        return self.both_include + self.both_exclude

    def __add__(self, other: Table2x2) -> Table2x2:
        return Table2x2(
            both_include=self.both_include + other.both_include,
            a_include_b_exclude=self.a_include_b_exclude + other.a_include_b_exclude,
            a_exclude_b_include=self.a_exclude_b_include + other.a_exclude_b_include,
            both_exclude=self.both_exclude + other.both_exclude,
        )


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement statistics for one 2×2 table; ``None`` values are explained in ``notes``."""

    table: Table2x2
    n: int
    observed_agreement: float | None
    cohen_kappa: float | None
    gwet_ac1: float | None
    pabak: float | None
    prevalence_index: float | None
    bias_index: float | None
    notes: tuple[str, ...] = ()


def agreement_from_table(table: Table2x2) -> Agreement:
    """Compute observed agreement, Cohen's κ, Gwet's AC1 and PABAK from a 2×2 table.

    - observed agreement ``po = (a + d) / n``
    - Cohen's κ ``(po − pe) / (1 − pe)`` with ``pe = p_A+·p_B+ + p_A−·p_B−``; undefined
      when ``pe = 1``, i.e. both raters put every item in the same single class.
    - Gwet's AC1 ``(po − pe) / (1 − pe)`` with ``pe = 2·π(1 − π)``, ``π`` the mean of the
      two raters' include rates (Gwet 2008, eq. for q = 2); ``pe ≤ 0.5``, so AC1 is
      defined whenever ``n > 0``.
    - PABAK ``2·po − 1`` (Byrt, Bishop & Carlin 1993).
    - prevalence index ``|a − d| / n`` and bias index ``|b − c| / n`` (same paper).
    """
    n = table.n
    if n == 0:
        return Agreement(
            table=table,
            n=0,
            observed_agreement=None,
            cohen_kappa=None,
            gwet_ac1=None,
            pabak=None,
            prevalence_index=None,
            bias_index=None,
            notes=("No items were voted on by both raters; nothing to compare.",),
        )
    notes: list[str] = []
    po = table.agreements / n
    a_include = (table.both_include + table.a_include_b_exclude) / n
    b_include = (table.both_include + table.a_exclude_b_include) / n
    pe_kappa = a_include * b_include + (1 - a_include) * (1 - b_include)
    kappa: float | None
    if _is_one(pe_kappa):
        kappa = None
        only = "include" if a_include > 0.5 else "exclude"
        notes.append(
            f"Cohen's κ is undefined (0/0): both raters voted {only} on all {n} items, "
            "so chance agreement is 1. Observed agreement, AC1 and PABAK are still valid."
        )
    else:
        kappa = (po - pe_kappa) / (1 - pe_kappa)
    pi_include = (a_include + b_include) / 2
    pe_ac1 = 2 * pi_include * (1 - pi_include)
    ac1 = (po - pe_ac1) / (1 - pe_ac1)
    return Agreement(
        table=table,
        n=n,
        observed_agreement=po,
        cohen_kappa=kappa,
        gwet_ac1=ac1,
        pabak=2 * po - 1,
        prevalence_index=abs(table.both_include - table.both_exclude) / n,
        bias_index=abs(table.a_include_b_exclude - table.a_exclude_b_include) / n,
        notes=tuple(notes),
    )


def pair_table(votes_a: Mapping[Hashable, object], votes_b: Mapping[Hashable, object]) -> Table2x2:
    """Build the 2×2 table of two raters' votes, keyed by item id.

    Only items both raters voted on count (the "n in common"); a ``None`` vote is
    treated as no vote, so a caller can pass a sparse table straight from a query.
    """
    counts = {
        (INCLUDE, INCLUDE): 0,
        (INCLUDE, EXCLUDE): 0,
        (EXCLUDE, INCLUDE): 0,
        (EXCLUDE, EXCLUDE): 0,
    }
    for item, vote_a in votes_a.items():
        vote_b = votes_b.get(item)
        if vote_a is None or vote_b is None:
            continue
        counts[(verdict_class(vote_a), verdict_class(vote_b))] += 1
    return Table2x2(
        both_include=counts[(INCLUDE, INCLUDE)],
        a_include_b_exclude=counts[(INCLUDE, EXCLUDE)],
        a_exclude_b_include=counts[(EXCLUDE, INCLUDE)],
        both_exclude=counts[(EXCLUDE, EXCLUDE)],
    )


def pair_agreement(
    votes_a: Mapping[Hashable, object], votes_b: Mapping[Hashable, object]
) -> Agreement:
    """Agreement between two raters from their votes keyed by item id (see :func:`pair_table`)."""
    return agreement_from_table(pair_table(votes_a, votes_b))


@dataclass(frozen=True, slots=True)
class PairResult:
    """One reviewer pair within a stage."""

    rater_a: Hashable
    rater_b: Hashable
    agreement: Agreement


@dataclass(frozen=True, slots=True)
class StageAgreement:
    """Agreement over all reviewers of one stage.

    ``fleiss_kappa`` and ``gwet_ac1`` are the multi-rater coefficients over every item
    rated by at least two reviewers (Gwet's formulas allowing a varying number of
    raters per item); ``observed_agreement`` is the multi-rater pairwise agreement
    they share and ``pabak`` is ``2·po − 1``. ``mean_pair_kappa`` is the unweighted
    mean of the defined pairwise κ; ``weighted_pair_kappa`` weights each pair by its
    items in common. ``pooled`` is the 2×2 table summed over pairs (for display).
    """

    pairs: tuple[PairResult, ...]
    n_items: int
    observed_agreement: float | None
    fleiss_kappa: float | None
    gwet_ac1: float | None
    pabak: float | None
    mean_pair_kappa: float | None
    weighted_pair_kappa: float | None
    pooled: Table2x2
    notes: tuple[str, ...] = ()


def stage_agreement(votes_by_rater: Mapping[Hashable, Mapping[Hashable, object]]) -> StageAgreement:
    """Per-pair and overall agreement for one screening stage.

    ``votes_by_rater`` maps each reviewer to their votes keyed by item id. Pairs are
    every combination of reviewers with at least one item in common, ordered as the
    mapping is. Items seen by only one reviewer do not count anywhere.
    """
    raters = list(votes_by_rater)
    pairs: list[PairResult] = []
    pooled = Table2x2()
    for rater_a, rater_b in combinations(raters, 2):
        table = pair_table(votes_by_rater[rater_a], votes_by_rater[rater_b])
        if table.n == 0:
            continue
        pooled = pooled + table
        pairs.append(PairResult(rater_a, rater_b, agreement_from_table(table)))

    # Per item: how many raters put it in each class.
    per_item: dict[Hashable, list[int]] = {}
    for votes in votes_by_rater.values():
        for item, vote in votes.items():
            if vote is None:
                continue
            counts = per_item.setdefault(item, [0, 0])
            counts[0 if verdict_class(vote) == INCLUDE else 1] += 1
    multi = [counts for counts in per_item.values() if sum(counts) >= 2]

    notes: list[str] = []
    defined = [
        (p.agreement.cohen_kappa, p.agreement.n)
        for p in pairs
        if p.agreement.cohen_kappa is not None
    ]
    mean_kappa = sum(k for k, _ in defined) / len(defined) if defined else None
    weight = sum(n for _, n in defined)
    weighted_kappa = sum(k * n for k, n in defined) / weight if weight else None
    if pairs and not defined:
        notes.append("No pair has a defined Cohen's κ, so there is no mean of pairs.")

    if not multi:
        notes.append("No item was voted on by two or more reviewers; nothing to compare.")
        return StageAgreement(
            pairs=tuple(pairs),
            n_items=0,
            observed_agreement=None,
            fleiss_kappa=None,
            gwet_ac1=None,
            pabak=None,
            mean_pair_kappa=mean_kappa,
            weighted_pair_kappa=weighted_kappa,
            pooled=pooled,
            notes=tuple(notes),
        )

    n_items = len(multi)
    # Observed agreement: share of agreeing rater pairs within each item, averaged.
    po = (
        sum(
            (inc * (inc - 1) + exc * (exc - 1)) / ((inc + exc) * (inc + exc - 1))
            for inc, exc in multi
        )
        / n_items
    )
    # Class prevalence: mean over items of the share of raters choosing "include".
    pi_include = sum(inc / (inc + exc) for inc, exc in multi) / n_items
    pe_fleiss = pi_include**2 + (1 - pi_include) ** 2
    fleiss: float | None
    if _is_one(pe_fleiss):
        fleiss = None
        notes.append(
            "Fleiss' κ is undefined (0/0): every vote on every shared item is in one class."
        )
    else:
        fleiss = (po - pe_fleiss) / (1 - pe_fleiss)
    pe_ac1 = 2 * pi_include * (1 - pi_include)
    return StageAgreement(
        pairs=tuple(pairs),
        n_items=n_items,
        observed_agreement=po,
        fleiss_kappa=fleiss,
        gwet_ac1=(po - pe_ac1) / (1 - pe_ac1),
        pabak=2 * po - 1,
        mean_pair_kappa=mean_kappa,
        weighted_pair_kappa=weighted_kappa,
        pooled=pooled,
        notes=tuple(notes),
    )


def votes_by_rater_from_rows(
    rows: Iterable[tuple[Hashable, Hashable, object]],
) -> dict[Hashable, dict[Hashable, object]]:
    """Group ``(item_id, rater_id, verdict)`` rows (e.g. a values_list) for :func:`stage_agreement`."""
    grouped: dict[Hashable, dict[Hashable, object]] = {}
    for item, rater, verdict in rows:
        grouped.setdefault(rater, {})[item] = verdict
    return grouped


def _is_one(value: float) -> bool:
    # Chance agreement is a sum of products of fractions; compare with a tolerance
    # so 0.9999999999 from rounding is still recognised as the degenerate case.
    return abs(1.0 - value) < 1e-12
