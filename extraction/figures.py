"""Risk-of-bias summaries: the traffic-light table and the (weighted) bar chart, as
data, as hand-written SVG and as PNG (matplotlib, Agg).

The bars follow robvis (McGuinness & Higgins 2021): one bar per domain, the share of
studies at each judgement, optionally weighted (here by sample size, the extraction
form's `sample_size` field). Studies without a judgement yet show as "not rated", so
each bar sums to 100%.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from extraction import instruments
from extraction.domain.domain_tool import (
    DomainRating,
    Rating,
    StudyRatings,
    domain_summaries,
    traffic_light,
)
from extraction.selectors import EvidenceTable

COLOURS = {
    "low": "#2e9e44",
    "some_concerns": "#e0c200",
    "unclear": "#e0c200",
    "high": "#c62828",
    None: "#c9c9c9",
}
WEIGHT_FIELD = "extraction/sample_size"


@dataclass(frozen=True)
class Level:
    key: str | None
    label: str

    @property
    def colour(self) -> str:
        return COLOURS[self.key]


@dataclass
class Bar:
    name: str
    percents: list[tuple[Level, float]]
    counts: list[tuple[Level, int]]


@dataclass
class Figure:
    tool: str
    title: str
    domains: list[str]
    rows: list[tuple[str, list[Level]]]  # the traffic light: study label, one cell per domain
    bars: list[Bar] = field(default_factory=list)
    weighted: bool = False
    note: str = ""


NOT_RATED = Level(None, "Not rated")


def _weights(table: EvidenceTable) -> tuple[dict[str, float] | None, str]:
    weights = {}
    for row in table.rows:
        value = row.cells.get(WEIGHT_FIELD)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            return None, (
                f"Not weighted: {row.study.label} has no sample size; bars count studies."
            )
        weights[str(row.study.pk)] = float(value)
    return weights, ""


def domain_tool_figure(table: EvidenceTable, *, weighted: bool = False) -> Figure:
    """The domain tool's figure from the evidence table's final ratings."""
    tool = table.ctx.domain_tool
    studies = [
        StudyRatings(
            str(row.study.pk),
            row.study.label,
            tuple(
                DomainRating(d.key, Rating(row.cells[f"rob-domain/{d.key}"]))
                for d in tool.domains
                if row.cells.get(f"rob-domain/{d.key}") in instruments.RATING_LABELS
            ),
        )
        for row in table.rows
    ]
    levels = {r.value: Level(r.value, instruments.RATING_LABELS[r.value]) for r in Rating}
    matrix = traffic_light(tool, studies)
    figure = Figure(
        tool="rob-domain",
        title=tool.name,
        domains=[d.name for d in tool.domains],
        rows=[
            (row.label, [levels[c.value] if c else NOT_RATED for c in row.cells])
            for row in matrix.rows
        ],
    )
    weights, note = _weights(table) if weighted else (None, "")
    figure.weighted, figure.note = weights is not None, note
    order = [Rating.LOW, Rating.UNCLEAR, Rating.HIGH]
    for summary in domain_summaries(tool, studies, weights):
        figure.bars.append(
            Bar(
                summary.domain.name,
                [(levels[r.value], summary.percent[r]) for r in order]
                + [(NOT_RATED, summary.percent_not_rated)],
                [(levels[r.value], summary.counts[r]) for r in order]
                + [(NOT_RATED, summary.not_rated)],
            )
        )
    return figure


def rob2_figure(table: EvidenceTable, *, weighted: bool = False) -> Figure:
    """RoB 2's figure: domains 1-5 and the overall judgement."""
    items = instruments.items("rob2", table.ctx)
    levels = {k: Level(k, label) for k, label in instruments.JUDGEMENT_LABELS.items()}
    rows = [
        (
            row.study.label,
            [levels.get(row.cells.get(f"rob2/{i.key}"), NOT_RATED) for i in items],
        )
        for row in table.rows
    ]
    figure = Figure("rob2", "RoB 2", [i.label for i in items], rows)
    weights, note = _weights(table) if weighted else (None, "")
    figure.weighted, figure.note = weights is not None, note
    weight_of = [weights[str(r.study.pk)] if weights else 1.0 for r in table.rows]
    total = sum(weight_of)
    order = [levels["low"], levels["some_concerns"], levels["high"], NOT_RATED]
    for index, item in enumerate(items):
        shares = dict.fromkeys(order, 0.0)
        counts = dict.fromkeys(order, 0)
        for (_label, cells), weight in zip(rows, weight_of, strict=True):
            shares[cells[index]] += weight
            counts[cells[index]] += 1
        figure.bars.append(
            Bar(
                item.label,
                [
                    (level, round(100 * shares[level] / total, 1) if total else 0.0)
                    for level in order
                ],
                [(level, counts[level]) for level in order],
            )
        )
    return figure


def to_svg(figure: Figure) -> str:
    """A horizontal stacked bar per domain, with a legend; every label escaped."""
    left, width, bar_height, gap, top = 260, 420, 22, 10, 40
    height = top + len(figure.bars) * (bar_height + gap) + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 30}" height="{height}" '
        f'viewBox="0 0 {left + width + 30} {height}" font-family="sans-serif" font-size="12" '
        f'role="img" aria-label="{escape(figure.title, {chr(34): "&quot;"})}">',
        f'<text x="10" y="22" font-size="14" font-weight="bold">{escape(figure.title)}'
        f"{' (weighted by sample size)' if figure.weighted else ''}</text>",
    ]
    for index, bar in enumerate(figure.bars):
        y = top + index * (bar_height + gap)
        parts.append(
            f'<text x="{left - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">'
            f"{escape(bar.name[:42])}</text>"
        )
        x = float(left)
        for level, percent in bar.percents:
            w = width * percent / 100
            if w <= 0:
                continue
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                f'fill="{level.colour}"><title>{escape(level.label)}: {percent:g}%</title></rect>'
            )
            x += w
    y = top + len(figure.bars) * (bar_height + gap) + 10
    for step in range(0, 101, 25):
        x = left + width * step / 100
        parts.append(f'<text x="{x:.1f}" y="{y + 4}" text-anchor="middle">{step}%</text>')
    legend_x = 10
    for level in _legend_levels(figure):
        parts.append(
            f'<rect x="{legend_x}" y="{y + 18}" width="12" height="12" fill="{level.colour}"/>'
            f'<text x="{legend_x + 16}" y="{y + 28}">{escape(level.label)}</text>'
        )
        legend_x += 30 + 7 * len(level.label)
    parts.append("</svg>")
    return "\n".join(parts)


def _legend_levels(figure: Figure) -> list[Level]:
    return [level for level, _ in figure.bars[0].percents] if figure.bars else []


def to_png(figure: Figure) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure as MplFigure

    plot = MplFigure(figsize=(8, 0.5 * len(figure.bars) + 1.6), dpi=100)
    axes = plot.subplots()
    names = [bar.name for bar in figure.bars][::-1]
    lefts = [0.0] * len(names)
    for level in _legend_levels(figure):
        widths = [dict(bar.percents)[level] for bar in figure.bars][::-1]
        axes.barh(names, widths, left=lefts, color=level.colour, label=level.label)
        lefts = [a + b for a, b in zip(lefts, widths, strict=True)]
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of studies" + (" (weighted by sample size)" if figure.weighted else ""))
    axes.set_title(figure.title, fontsize=10)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=4, frameon=False)
    plot.tight_layout()
    buffer = io.BytesIO()
    plot.savefig(buffer, format="png")
    return buffer.getvalue()
