"""Draw the PRISMA 2020 flow with matplotlib (Agg) for PNG and PDF exports.

Uses the same :func:`layout_flow` geometry as the SVG, and matplotlib's bundled
DejaVu Sans, so it needs no system library (no cairo, no fonts installed). In the
PDF every linked number is a clickable link; PNG has no links.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from screening.prisma.counts import PrismaFlow
from screening.prisma.layout import (
    FONT_SIZE,
    LINE_HEIGHT,
    PAD,
    TITLE_SIZE,
    Diagram,
    layout_flow,
    node_url,
)
from screening.prisma.svg import COLOURS

PathOrFile = str | IO[bytes]
# Layout units are CSS pixels (1/96 in); matplotlib sizes fonts in points (1/72 in).
_PX = 1 / 96
_PT_PER_PX = 72 / 96


def render_png(
    flow: PrismaFlow,
    path_or_file: PathOrFile,
    *,
    dpi: int = 200,
    urls: Mapping[str, str] | None = None,
) -> None:
    """Write the flow diagram as a PNG to a path or binary file object."""
    figure = build_figure(flow, urls=urls)
    figure.savefig(path_or_file, format="png", dpi=dpi, facecolor="white")


def render_pdf(
    flow: PrismaFlow, path_or_file: PathOrFile, *, urls: Mapping[str, str] | None = None
) -> None:
    """Write the flow diagram as a one-page vector PDF; numbers with a URL are links."""
    figure = build_figure(flow, urls=urls)
    figure.savefig(path_or_file, format="pdf", facecolor="white")


def build_figure(flow: PrismaFlow, *, urls: Mapping[str, str] | None = None) -> Figure:
    """Return a matplotlib ``Figure`` of the diagram (not attached to pyplot, so thread-safe)."""
    diagram = layout_flow(flow)
    figure = Figure(figsize=(diagram.width * _PX, diagram.height * _PX))
    # An explicit Agg canvas instead of pyplot: no global backend switch, no GUI.
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, diagram.width)
    axes.set_ylim(diagram.height, 0)
    axes.axis("off")
    _draw(axes, diagram, urls or {})
    return figure


def _draw(axes, diagram: Diagram, urls: Mapping[str, str]) -> None:
    renderer = axes.figure.canvas.get_renderer()
    inverse = axes.transData.inverted()
    body = FONT_SIZE * _PT_PER_PX
    title = TITLE_SIZE * _PT_PER_PX
    for box in diagram.boxes:
        if box.kind == "phase":
            axes.add_patch(
                FancyBboxPatch(
                    (box.x, box.y),
                    box.w,
                    box.h,
                    boxstyle="round,pad=0,rounding_size=6",
                    facecolor=COLOURS["phase"],
                    edgecolor="none",
                )
            )
            axes.text(
                box.cx,
                box.cy,
                box.vertical_text,
                rotation=90,
                ha="center",
                va="center",
                fontsize=title,
                fontweight="bold",
            )
            continue
        if box.kind in {"title", "grey_title"}:
            axes.add_patch(
                FancyBboxPatch(
                    (box.x, box.y),
                    box.w,
                    box.h,
                    boxstyle="round,pad=0,rounding_size=8",
                    facecolor=COLOURS[box.kind],
                    edgecolor="none",
                )
            )
            axes.text(
                box.cx,
                box.cy,
                box.rows[0].label,
                ha="center",
                va="center",
                fontsize=title,
                fontweight="bold",
            )
            continue
        axes.add_patch(
            Rectangle(
                (box.x, box.y),
                box.w,
                box.h,
                facecolor=COLOURS["box"],
                edgecolor=COLOURS["border"],
                linewidth=0.8,
            )
        )
        y = box.y + PAD + LINE_HEIGHT * 0.75
        for row in box.rows:
            x = box.x + PAD + row.indent * 12.0
            style = {
                "fontsize": body,
                "fontweight": "bold" if row.bold else "normal",
                "fontstyle": "italic" if row.awaiting else "normal",
                "color": COLOURS["awaiting"] if row.awaiting else "black",
                "va": "baseline",
                "ha": "left",
            }
            # usetex/mathtext off: user text with "$" must print as typed.
            label = axes.text(x, y, row.label, parse_math=False, **style)
            if row.n is not None:
                extent = label.get_window_extent(renderer)
                end_x = inverse.transform((extent.x1, extent.y0))[0] if row.label else x
                gap = 3.0 if row.label else 0.0
                url = node_url(urls, row.node)
                number_style = style | ({"color": COLOURS["link"]} if url else {})
                axes.text(end_x + gap, y, row.number_text, url=url, **number_style)
            y += LINE_HEIGHT
    for arrow in diagram.arrows:
        points = arrow.points
        for start, end in zip(points[:-2], points[1:-1], strict=False):
            axes.plot([start[0], end[0]], [start[1], end[1]], color="black", linewidth=0.9)
        axes.add_patch(
            FancyArrowPatch(
                points[-2],
                points[-1],
                arrowstyle="-|>",
                mutation_scale=9,
                color="black",
                linewidth=0.9,
                shrinkA=0,
                shrinkB=0,
            )
        )
