"""Replay a labelled review in ranked order and print how much screening ranking saves."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from screening.ranking.dataset import load_labelled_csv
from screening.ranking.metrics import recall_at
from screening.ranking.semantic import SemanticUnavailable
from screening.ranking.simulate import MODELS, plot_recall_curve, random_order, simulate

SCREENED_FRACTIONS = (0.05, 0.10, 0.25, 0.50)
RECALL_LEVELS = (0.80, 0.90, 0.95, 1.00)


def _cold_start_report(out, data, query: str, seed: int) -> None:
    from screening.ranking.cold_start import random_cold_start, simulate_cold_start
    from screening.ranking.model import build_features

    features = build_features(data.texts)
    cold = simulate_cold_start(data.labels, features, query=query)
    rnd = random_cold_start(data.labels, seed=seed)
    priors = simulate(data.texts, data.labels, seed=seed, model="elas_u4", features=features)
    out(f"{data.name}: {len(data.labels)} records, {data.n_relevant} relevant; query {query!r}")
    out(f"{'':<34}{'query':>8}{'random':>8}{'1+1 priors':>12}")
    out(
        f"{'records until the first relevant':<34}{cold.to_first_relevant:>8}"
        f"{rnd.to_first_relevant:>8}{'given':>12}"
    )
    out(
        f"{'recall after 10% screened':<34}{cold.recall_at_10:>8.3f}{rnd.recall_at_10:>8.3f}"
        f"{priors.recall_at_10:>12.3f}"
    )


def records_for_recall(labels_in_order, recall: float) -> int:
    """How many records must be read, in this order, to find `recall` of the relevant ones."""
    needed = max(1, -int(-recall * sum(labels_in_order) // 1))
    found = 0
    for position, label in enumerate(labels_in_order, start=1):
        found += label
        if found >= needed:
            return position
    return len(labels_in_order)


class Command(BaseCommand):
    help = (
        "Simulate screening a labelled CSV (title, abstract, label) in ranked order and print "
        "the recall curve, WSS@95, recall after 10% screened and ATD, next to random order."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", help="labelled CSV: title and/or abstract, and a label column")
        parser.add_argument(
            "--labels", required=True, help="the label column (1/0, yes/no, include/exclude)"
        )
        parser.add_argument("--model", choices=sorted(MODELS), default="default")
        parser.add_argument("--seed", type=int, default=0, help="chooses the prior records")
        parser.add_argument("--png", help="write the recall curve as PNG here")
        parser.add_argument("--svg", help="write the recall curve as SVG here")
        parser.add_argument(
            "--cold-start",
            metavar="QUERY",
            help="instead: no priors, start from the records most similar to QUERY (the "
            "review's question or terms), print records until the first relevant and recall "
            "after 10%% against random order and ASReview's one-relevant-one-irrelevant start",
        )

    def handle(self, *args, csv, labels, model, seed, png, svg, cold_start=None, **options):
        if cold_start is not None:
            return self._cold_start(csv, labels, cold_start, seed)
        try:
            data = load_labelled_csv(csv, label_column=labels)
            ranked = simulate(data.texts, data.labels, seed=seed, model=model)
            baseline = random_order(data.labels, seed=seed)
        except (OSError, ValueError, SemanticUnavailable) as exc:
            raise CommandError(str(exc)) from None
        out = self.stdout.write
        out(
            f"{data.name}: {len(data.labels)} records, {data.n_relevant} relevant"
            f" ({data.n_skipped} rows without a label skipped); label column {data.label_column!r}"
        )
        out(f"model {model}, seed {seed}, priors {len(ranked.prior_ids)} (1 relevant, 1 not)")
        out("")
        out(f"{'':<28}{'ranked':>10}{'random':>10}")
        for result_name, a, b in (
            ("WSS@95", ranked.wss95, baseline.wss95),
            ("WSS@100", ranked.wss100, baseline.wss100),
            ("recall after 10% screened", ranked.recall_at_10, baseline.recall_at_10),
            ("ATD (fraction of records)", ranked.atd, baseline.atd),
        ):
            out(f"{result_name:<28}{a:>10.3f}{b:>10.3f}")
        out("")
        out("Recall curve (after the priors):")
        for fraction in SCREENED_FRACTIONS:
            out(
                f"  {fraction:>4.0%} screened: recall {recall_at(ranked.labels_in_order, fraction):.3f}"
                f" (random {recall_at(baseline.labels_in_order, fraction):.3f})"
            )
        for level in RECALL_LEVELS:
            n = records_for_recall(ranked.labels_in_order, level)
            out(
                f"  recall {level:.0%} after {n} records ({n / len(ranked.order):.1%})"
                f" (random {records_for_recall(baseline.labels_in_order, level)})"
            )
        requested = {Path(p) for p in (png, svg) if p}
        for target, suffix in ((png, ".png"), (svg, ".svg")):
            if not target:
                continue
            written = {p.suffix: p for p in plot_recall_curve(ranked, target, title=data.name)}
            written.pop(suffix).replace(target)
            for leftover in written.values():
                if leftover not in requested:
                    leftover.unlink(missing_ok=True)
            out(f"wrote {target}")

    def _cold_start(self, csv, labels, query: str, seed: int) -> None:
        try:
            data = load_labelled_csv(csv, label_column=labels)
            _cold_start_report(self.stdout.write, data, query, seed)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
