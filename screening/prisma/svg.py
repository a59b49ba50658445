"""Render a PRISMA 2020 flow as a standalone SVG string with every number linked.

All text (database, register, source and reason names come from users) and every URL
is XML-escaped; nothing from the flow is ever emitted as markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

from screening.prisma.counts import PrismaFlow
from screening.prisma.layout import (
    FONT_SIZE,
    LINE_HEIGHT,
    PAD,
    TITLE_SIZE,
    Box,
    Diagram,
    layout_flow,
    node_url,
)

# Colours of the official PRISMA 2020 template.
COLOURS = {
    "phase": "#a6c8e6",
    "title": "#ffc000",
    "grey_title": "#d9d9d9",
    "border": "#000000",
    "box": "#ffffff",
    "awaiting": "#b45309",
    "link": "#0b5394",
}
FONT_FAMILY = "Helvetica, Arial, 'DejaVu Sans', sans-serif"


def render_svg(
    flow: PrismaFlow,
    urls: Mapping[str, str] | None = None,
    *,
    title: str = "PRISMA 2020 flow diagram",
) -> str:
    """Return the flow diagram as an SVG document (UTF-8 text, no XML declaration).

    ``urls`` maps node names (``records_screened``, ``dbr_excluded:Animal model``… see
    :func:`screening.prisma.layout.node_url`) to links; each "(n = N)" whose node has a
    URL becomes an ``<a>``. Each box is a ``<g>`` with ``data-node`` set to its name,
    so the page can style or script it.
    """
    diagram = layout_flow(flow)
    return _svg(diagram, urls or {}, title)


def _svg(diagram: Diagram, urls: Mapping[str, str], title: str) -> str:
    width, height = round(diagram.width), round(diagram.height)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT_SIZE:g}" role="group">',  # it holds links
        f"<title>{escape(title)}</title>",
        '<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#000"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for box in diagram.boxes:
        out.append(_box_svg(box, urls))
    for arrow in diagram.arrows:
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in arrow.points)
        out.append(
            f'<polyline points="{points}" fill="none" stroke="#000" stroke-width="1.2" '
            'marker-end="url(#arrowhead)"/>'
        )
    out.append("</svg>")
    return "\n".join(out)


def _box_svg(box: Box, urls: Mapping[str, str]) -> str:
    parts = [f"<g data-node={quoteattr(box.name)}>"]
    geometry = f'x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}"'
    if box.kind == "phase":
        parts.append(f'<rect {geometry} rx="6" fill="{COLOURS["phase"]}"/>')
        # Rotated to read bottom-to-top, as in the template.
        parts.append(
            f'<text x="{box.cx:.1f}" y="{box.cy:.1f}" font-weight="bold" '
            f'font-size="{TITLE_SIZE:g}" text-anchor="middle" dominant-baseline="central" '
            f'transform="rotate(-90 {box.cx:.1f} {box.cy:.1f})">{escape(box.vertical_text)}</text>'
        )
    elif box.kind in {"title", "grey_title"}:
        parts.append(f'<rect {geometry} rx="8" fill="{COLOURS[box.kind]}"/>')
        parts.append(
            f'<text x="{box.cx:.1f}" y="{box.cy:.1f}" font-weight="bold" '
            f'font-size="{TITLE_SIZE:g}" text-anchor="middle" dominant-baseline="central">'
            f"{escape(box.rows[0].label)}</text>"
        )
    else:
        parts.append(
            f'<rect {geometry} fill="{COLOURS["box"]}" stroke="{COLOURS["border"]}" '
            'stroke-width="1"/>'
        )
        y = box.y + PAD + LINE_HEIGHT * 0.75
        for row in box.rows:
            x = box.x + PAD + row.indent * 12.0
            attrs = ' font-weight="bold"' if row.bold else ""
            if row.awaiting:
                attrs += f' font-style="italic" fill="{COLOURS["awaiting"]}"'
            text = escape(row.label)
            if row.n is not None:
                node = quoteattr(row.node or "")
                number = f"<tspan data-node={node}>{escape(row.number_text)}</tspan>"
                url = node_url(urls, row.node)
                if url is not None:
                    href = quoteattr(url)
                    number = (
                        f'<a href={href} xlink:href={href} fill="{COLOURS["link"]}" '
                        f'text-decoration="underline">{number}</a>'
                    )
                text = f"{text}{' ' if row.label else ''}{number}"
            parts.append(f'<text x="{x:.1f}" y="{y:.1f}"{attrs}>{text}</text>')
            y += LINE_HEIGHT
    parts.append("</g>")
    return "".join(parts)
