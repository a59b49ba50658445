"""Geometry of the PRISMA 2020 flow diagram, shared by the SVG and matplotlib renderers.

:func:`layout_flow` turns a :class:`PrismaFlow` into positioned boxes, text rows and
arrows in the PRISMA 2020 template for new reviews: blue phase bars on the left
(Identification / Screening / Included), the databases-and-registers arm under a
yellow title, the optional other-methods arm to its right under a grey title, and
the optional previous-version column on the left (the template for updated reviews),
whose "total" box sits beside the included box. Every number carries its node name
so renderers can link it. Coordinates are in pixels, origin top left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from screening.prisma.counts import NamedCount, PrismaFlow

FONT_SIZE = 11.0
TITLE_SIZE = 12.5
LINE_HEIGHT = 15.0
PAD = 8.0
BOX_WIDTH = 250.0
PREVIOUS_WIDTH = 210.0
GAP_X = 40.0
GAP_Y = 28.0
BAR_WIDTH = 26.0
MARGIN = 12.0
TITLE_HEIGHT = 34.0

# Fallbacks for per-item links: a database without its own URL links to the box's.
_PARENT_NODE = {
    "database_specific_results": "database_results",
    "register_specific_results": "register_results",
    "other_specific_results": "other_results",
}


def node_url(urls: Mapping[str, str], node: str | None) -> str | None:
    """URL for ``node`` from the caller's mapping, falling back from ``box:item`` to ``box``.

    Per-item nodes are named ``<box>:<item name>`` (``dbr_excluded:Animal model``,
    ``database_specific_results:PubMed``). URLs with a ``javascript:`` or ``data:``
    scheme are dropped: they would run in whoever opens the exported SVG.
    """
    if node is None:
        return None
    candidates = [node]
    if ":" in node:
        parent = node.split(":", 1)[0]
        candidates += [parent, _PARENT_NODE.get(parent, parent)]
    for candidate in candidates:
        url = urls.get(candidate)
        if url:
            scheme = url.strip().split(":", 1)[0].lower() if ":" in url else ""
            if scheme in {"javascript", "data", "vbscript"}:
                return None
            return url
    return None


@dataclass(frozen=True, slots=True)
class Row:
    """One line of text in a box: ``label`` then, if ``n`` is set, ``(n = N)`` linked to ``node``."""

    label: str
    n: int | None = None
    node: str | None = None
    indent: int = 0
    bold: bool = False
    awaiting: bool = False

    @property
    def number_text(self) -> str:
        return f"(n = {self.n:,})" if self.n is not None else ""


@dataclass(slots=True)
class Box:
    """A rectangle with wrapped rows. ``kind``: main, title, grey_title, phase, awaiting."""

    kind: str
    x: float
    y: float
    w: float
    h: float
    rows: list[Row] = field(default_factory=list)
    name: str = ""
    vertical_text: str = ""

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def right(self) -> float:
        return self.x + self.w


@dataclass(frozen=True, slots=True)
class Arrow:
    """A polyline from the first point to the last, with an arrow head at the end."""

    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Diagram:
    width: float
    height: float
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]


# Approximate advance widths (em) of a Helvetica/DejaVu-like sans serif; wrapping only
# needs to be conservative, since the SVG viewer's real font is unknown.
_NARROW = set("iljtfI.,;:'!|() []")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated rendered width of ``text`` in pixels at font ``size``."""
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += 0.32
        elif char in _WIDE:
            width += 0.9
        elif char.isupper() or char.isdigit():
            width += 0.7
        else:
            width += 0.6
    return width * size


def wrap_row(row: Row, width: float) -> list[Row]:
    """Split ``row`` into rows that fit ``width``; the number stays on the last one."""
    indent_px = row.indent * 12.0
    available = width - 2 * PAD - indent_px
    words = row.label.split()
    suffix = (" " + row.number_text) if row.n is not None else ""
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and text_width(candidate) > available:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current and text_width(current + suffix) > available and row.n is not None:
        lines.append(current)
        current = ""
    lines.append(current)
    # A single word longer than the box (a pasted URL as a database name) is cut,
    # not allowed to run over the border.
    lines = [_clip(line, available) for line in lines]
    wrapped = [
        Row(label=line, indent=row.indent, bold=row.bold, awaiting=row.awaiting)
        for line in lines[:-1]
    ]
    wrapped.append(
        Row(
            label=lines[-1],
            n=row.n,
            node=row.node,
            indent=row.indent,
            bold=row.bold,
            awaiting=row.awaiting,
        )
    )
    return wrapped


def _clip(line: str, available: float) -> str:
    if text_width(line) <= available:
        return line
    while line and text_width(line + "…") > available:
        line = line[:-1]
    return line + "…"


def _box(kind: str, name: str, width: float, rows: list[Row]) -> Box:
    wrapped = [piece for row in rows for piece in wrap_row(row, width)]
    height = len(wrapped) * LINE_HEIGHT + 2 * PAD
    return Box(kind=kind, x=0.0, y=0.0, w=width, h=height, rows=wrapped, name=name)


def _items(items: tuple[NamedCount, ...], box: str) -> list[Row]:
    return [Row(item.name, item.n, f"{box}:{item.name}", indent=1) for item in items]


def _awaiting(label: str, n: int, node: str) -> list[Row]:
    # Shown only while something waits, so a finished review is the plain template.
    return [Row(label, n, node, indent=1, awaiting=True)] if n else []


def _round_duplicates(flow: PrismaFlow) -> list[Row]:
    # A review with update rounds says which duplicates were copies of a record an
    # earlier round found (linked to it, keeping its decisions) and which were not.
    if not flow.has_round_duplicates:
        return []
    return [
        Row("within a search round", flow.duplicates_within_round, "duplicates_within_round", 2),
        Row(
            "found again from an earlier round",
            flow.duplicates_found_again,
            "duplicates_found_again",
            2,
        ),
    ]


def layout_flow(flow: PrismaFlow) -> Diagram:
    """Place every box, phase bar, title and arrow of ``flow``'s PRISMA 2020 diagram."""
    previous = flow.has_previous_version
    other = flow.has_other_methods
    x = MARGIN + BAR_WIDTH + 12.0
    col_p = x if previous else None
    if previous:
        x += PREVIOUS_WIDTH + GAP_X
    col_a = x
    col_b = col_a + BOX_WIDTH + GAP_X
    col_c = col_b + BOX_WIDTH + GAP_X
    col_d = col_c + BOX_WIDTH + GAP_X
    right_edge = (col_d + BOX_WIDTH) if other else (col_b + BOX_WIDTH)

    included_label = "New studies included in review" if previous else "Studies included in review"
    reports_label = "Reports of new included studies" if previous else "Reports of included studies"

    identified = _box(
        "main",
        "identified",
        BOX_WIDTH,
        [
            Row("Records identified from:", bold=True),
            Row("Databases", flow.database_results, "database_results"),
            *_items(flow.database_specific_results, "database_specific_results"),
            Row("Registers", flow.register_results, "register_results"),
            *_items(flow.register_specific_results, "register_specific_results"),
        ],
    )
    removed = _box(
        "main",
        "removed",
        BOX_WIDTH,
        [
            Row("Records removed before screening:", bold=True),
            Row("Duplicate records removed", flow.duplicates, "duplicates", indent=1),
            *_round_duplicates(flow),
            Row(
                "Records marked as ineligible by automation tools",
                flow.excluded_automatic,
                "excluded_automatic",
                indent=1,
            ),
            Row(
                "Records removed for other reasons",
                flow.excluded_other,
                "excluded_other",
                indent=1,
            ),
        ],
    )
    screened = _box(
        "main",
        "screened",
        BOX_WIDTH,
        [
            Row("Records screened", flow.records_screened, "records_screened"),
            *_awaiting(
                "awaiting decision",
                flow.records_awaiting_screening,
                "records_awaiting_screening",
            ),
        ],
    )
    excluded = _box(
        "main",
        "records_excluded",
        BOX_WIDTH,
        [Row("Records excluded", flow.records_excluded, "records_excluded")],
    )
    sought, not_retrieved, assessed, reasons = _retrieval_boxes(flow, "dbr")
    included = _box(
        "main",
        "included",
        BOX_WIDTH,
        [
            Row(included_label, flow.new_studies, "new_studies"),
            Row(reports_label, flow.new_reports, "new_reports"),
        ],
    )

    # Rows of the grid: each list holds (box, column x) pairs.
    grid: list[list[tuple[Box, float]]] = [
        [(identified, col_a), (removed, col_b)],
        [(screened, col_a), (excluded, col_b)],
        [(sought, col_a), (not_retrieved, col_b)],
        [(assessed, col_a), (reasons, col_b)],
        [(included, col_a)],
    ]
    other_boxes: dict[str, Box] = {}
    if other:
        other_identified = _box(
            "main",
            "other_identified",
            BOX_WIDTH,
            [
                Row("Records identified from:", bold=True),
                *_items(flow.other_specific_results, "other_specific_results"),
            ],
        )
        o_sought, o_not_retrieved, o_assessed, o_reasons = _retrieval_boxes(flow, "other")
        grid[0].append((other_identified, col_c))
        grid[2] += [(o_sought, col_c), (o_not_retrieved, col_d)]
        grid[3] += [(o_assessed, col_c), (o_reasons, col_d)]
        other_boxes = {"identified": other_identified, "sought": o_sought, "assessed": o_assessed}
        other_boxes |= {"not_retrieved": o_not_retrieved, "reasons": o_reasons}
    previous_box = total_box = None
    if previous and col_p is not None:
        previous_box = _box(
            "main",
            "previous",
            PREVIOUS_WIDTH,
            [
                Row(
                    "Studies included in previous version of review",
                    flow.previous_studies,
                    "previous_studies",
                ),
                Row(
                    "Reports of studies included in previous version of review",
                    flow.previous_reports,
                    "previous_reports",
                ),
            ],
        )
        total_box = _box(
            "main",
            "total",
            PREVIOUS_WIDTH,
            [
                Row("Total studies included in review", flow.total_studies, "total_studies"),
                Row("Reports of total included studies", flow.total_reports, "total_reports"),
            ],
        )
        grid[0].append((previous_box, col_p))
        grid[4].append((total_box, col_p))

    boxes: list[Box] = []
    y = MARGIN
    titles = [
        _title(
            "title",
            "Identification of new studies via databases and registers",
            col_a,
            col_b + BOX_WIDTH,
            y,
        )
    ]
    if other:
        titles.append(
            _title(
                "grey_title",
                "Identification of new studies via other methods",
                col_c,
                col_d + BOX_WIDTH,
                y,
            )
        )
    if previous and col_p is not None:
        titles.append(_title("grey_title", "Previous studies", col_p, col_p + PREVIOUS_WIDTH, y))
    boxes += titles
    y += TITLE_HEIGHT + GAP_Y / 2

    # The Identification and Included bars must be tall enough for their rotated labels.
    min_heights = {
        0: text_width("Identification", TITLE_SIZE) + 20,
        4: text_width("Included", TITLE_SIZE) + 20,
    }
    row_spans: list[tuple[float, float]] = []
    for index, row in enumerate(grid):
        height = max([box.h for box, _ in row] + [min_heights.get(index, 0.0)])
        for box, col in row:
            box.x = col
            box.y = y + (height - box.h) / 2
            boxes.append(box)
        row_spans.append((y, y + height))
        y += height + GAP_Y

    for label, first, last in (("Identification", 0, 0), ("Screening", 1, 3), ("Included", 4, 4)):
        top = row_spans[first][0]
        bottom = row_spans[last][1]
        bar = Box(kind="phase", x=MARGIN, y=top, w=BAR_WIDTH, h=bottom - top, name=label.lower())
        bar.vertical_text = label
        boxes.append(bar)

    arrows = [
        _down(identified, screened),
        _down(screened, sought),
        _down(sought, assessed),
        _down(assessed, included),
        _across(identified, removed),
        _across(screened, excluded),
        _across(sought, not_retrieved),
        _across(assessed, reasons),
    ]
    if other_boxes:
        arrows += [
            _down(other_boxes["identified"], other_boxes["sought"]),
            _down(other_boxes["sought"], other_boxes["assessed"]),
            _across(other_boxes["sought"], other_boxes["not_retrieved"]),
            _across(other_boxes["assessed"], other_boxes["reasons"]),
            # Down from the other arm, then left into the included box, as in the template.
            Arrow(
                (
                    (other_boxes["assessed"].cx, other_boxes["assessed"].bottom),
                    (other_boxes["assessed"].cx, included.cy),
                    (included.right, included.cy),
                )
            ),
        ]
    if previous_box is not None and total_box is not None:
        arrows += [
            _down(previous_box, total_box),
            Arrow(((included.x, included.cy), (total_box.right, included.cy))),
        ]
    return Diagram(
        width=right_edge + MARGIN,
        height=y - GAP_Y + MARGIN,
        boxes=tuple(boxes),
        arrows=tuple(arrows),
    )


def _retrieval_boxes(flow: PrismaFlow, prefix: str) -> tuple[Box, Box, Box, Box]:
    """Sought / not retrieved / assessed / excluded-with-reasons boxes of one arm."""
    get = lambda name: getattr(flow, f"{prefix}_{name}")  # noqa: E731
    sought = _box(
        "main",
        f"{prefix}_sought",
        BOX_WIDTH,
        [
            Row("Reports sought for retrieval", get("sought_reports"), f"{prefix}_sought_reports"),
            *_awaiting(
                "awaiting retrieval", get("awaiting_retrieval"), f"{prefix}_awaiting_retrieval"
            ),
        ],
    )
    not_retrieved = _box(
        "main",
        f"{prefix}_not_retrieved",
        BOX_WIDTH,
        [
            Row(
                "Reports not retrieved",
                get("notretrieved_reports"),
                f"{prefix}_notretrieved_reports",
            )
        ],
    )
    assessed = _box(
        "main",
        f"{prefix}_assessed",
        BOX_WIDTH,
        [
            Row("Reports assessed for eligibility", get("assessed"), f"{prefix}_assessed"),
            *_awaiting(
                "awaiting decision", get("awaiting_assessment"), f"{prefix}_awaiting_assessment"
            ),
        ],
    )
    reasons = get("excluded_reasons")
    reasons_box = _box(
        "main",
        f"{prefix}_excluded",
        BOX_WIDTH,
        [
            Row("Reports excluded", get("excluded"), f"{prefix}_excluded"),
            *_items(reasons, f"{prefix}_excluded"),
        ],
    )
    return sought, not_retrieved, assessed, reasons_box


def _title(kind: str, text: str, left: float, right: float, y: float) -> Box:
    box = Box(kind=kind, x=left, y=y, w=right - left, h=TITLE_HEIGHT, name=kind)
    box.rows = [Row(text, bold=True)]
    return box


def _down(upper: Box, lower: Box) -> Arrow:
    return Arrow(((upper.cx, upper.bottom), (upper.cx, lower.y)))


def _across(left: Box, right: Box) -> Arrow:
    # Arrows are computed after placement (boxes are mutable until layout returns).
    return Arrow(((left.right, left.cy), (right.x, left.cy)))
