"""PRISMA 2020 flow: counts and invariants, SVG/PNG/PDF rendering, CSV/JSON export.

Pure Python on plain data; the database layer builds a :class:`PrismaInput`.
``render_png`` / ``render_pdf`` live in :mod:`screening.prisma.figure` (imported
lazily here so that counting and SVG never load matplotlib).
"""

from screening.prisma.counts import (
    NamedCount,
    OtherMethodsInput,
    PreviousVersionInput,
    PrismaFlow,
    PrismaInput,
    RoundDuplicatesInput,
    build_flow,
    check_invariants,
)
from screening.prisma.export import export_csv, export_json, flow_to_dict
from screening.prisma.svg import render_svg

__all__ = [
    "NamedCount",
    "OtherMethodsInput",
    "PreviousVersionInput",
    "PrismaFlow",
    "PrismaInput",
    "RoundDuplicatesInput",
    "build_flow",
    "check_invariants",
    "export_csv",
    "export_json",
    "flow_to_dict",
    "render_pdf",
    "render_png",
    "render_svg",
]


def __getattr__(name: str):
    if name in {"render_png", "render_pdf"}:
        from screening.prisma import figure

        return getattr(figure, name)
    raise AttributeError(name)
