"""Files that hold exports rather than being one: an Excel workbook (.xlsx) read like a CSV
table, and a ZIP of export files imported together, all or nothing.

Both are ZIP archives, opened only after their directory is checked: at most `MAX_MEMBERS`
files, at most `MAX_UNZIPPED` bytes once unpacked, no member packed tighter than `MAX_RATIO`
to one (a zip bomb), no encrypted member, no ZIP or workbook inside the ZIP, no member name
with an absolute path or ``..``. Nothing is ever written to disk: members are read as streams.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from .decoding import FileLines, head_text, sniff_encoding
from .recognise import office_or_zip
from .records import MalformedFile, UnsupportedFile

ZIP_MAGIC = b"PK\x03\x04"
# What unpacking a damaged or unusual member can raise (CRC, deflate stream, method).
UNPACK_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)
MAX_MEMBERS = 50
MAX_UNZIPPED = 1024 * 1024 * 1024  # all members together, unpacked
MAX_RATIO = 100  # unpacked / packed size of one member over 1 MB
_MAX_LINE = 2_000_000

Opener = Callable[[], BinaryIO]


def is_zip(head: bytes) -> bool:
    return head.startswith(ZIP_MAGIC)


def not_a_container(name: str) -> UnsupportedFile:
    """The refusal when "Excel workbook" or "ZIP" was asked for a file that is neither."""
    return UnsupportedFile(
        f"This file is not in the format asked for ({name}); leave the format empty to "
        "recognise it from its content."
    )


@dataclass
class Member:
    """One export inside a ZIP: its name, format and lines (read from the archive)."""

    name: str
    fmt: str
    lines: FileLines


@dataclass
class ZipExports:
    members: list[Member]

    def __iter__(self) -> Iterator[str]:  # not a text: formats read it member by member
        raise TypeError("a ZIP of exports is read member by member")


class XlsxLines:
    """The first sheet of a workbook as the lines of a CSV table (header row first), read
    row by row in openpyxl's read-only mode: nothing but one row is held in memory."""

    def __init__(self, opener: Opener, *, max_cell: int = _MAX_LINE) -> None:
        self._open = opener
        self.max_cell = max_cell  # a longer cell is cut here (still over the field cap)

    def __iter__(self) -> Iterator[str]:
        from openpyxl import load_workbook

        with self._open() as handle:
            try:
                book = load_workbook(handle, read_only=True, data_only=True)
            except Exception as error:  # openpyxl raises many kinds for a broken workbook
                raise MalformedFile(f"the Excel workbook cannot be read ({error})") from None
            try:
                sheet = book.worksheets[0] if book.worksheets else None
                if sheet is None:
                    return
                # Some tools write a wrong size ("A1") into the sheet: read the rows as they are.
                sheet.reset_dimensions()
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
                rows = sheet.iter_rows(values_only=True)
                while True:
                    try:
                        row = next(rows, None)
                    except Exception as error:  # a damaged sheet, met part-way
                        raise MalformedFile(f"the Excel sheet cannot be read ({error})") from None
                    if row is None:
                        return
                    writer.writerow([_cell(value)[: self.max_cell] for value in row])
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            finally:
                book.close()

    def read(self) -> str:
        return "".join(self)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def _check(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise UnsupportedFile(
            f"This ZIP holds {len(infos):,} files; the limit is {MAX_MEMBERS}. Import the "
            "exports in smaller ZIPs or one by one."
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnsupportedFile(
                "This ZIP is password-protected; unzip it and import the exports themselves."
            )
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or ":" in name.split("/")[0]:
            raise UnsupportedFile(
                f"This ZIP names a file outside itself (“{info.filename[:80]}”); it was not "
                "opened. Unzip the exports and import them one by one."
            )
        total += info.file_size
        packed = max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and info.file_size / packed > MAX_RATIO:
            raise UnsupportedFile(
                f"“{info.filename[:80]}” in this ZIP unpacks to {info.file_size:,} bytes from "
                f"{info.compress_size:,}: it looks like a zip bomb and was not opened."
            )
    if total > MAX_UNZIPPED:
        raise UnsupportedFile(
            f"This ZIP unpacks to {total / 1e6:,.0f} MB; the limit is {MAX_UNZIPPED / 1e6:,.0f} "
            "MB. Import the exports in smaller ZIPs or one by one."
        )


def _ignored(info: zipfile.ZipInfo) -> bool:
    name = info.filename.replace("\\", "/")
    base = name.rsplit("/", 1)[-1]
    return info.is_dir() or name.startswith("__MACOSX/") or base.startswith(".") or not base


def damaged(name: str, error: Exception) -> MalformedFile:
    return MalformedFile(f"“{name[:80]}” in this ZIP cannot be unpacked ({str(error)[:120]}).")


@contextmanager
def _member(opener: Opener, name: str):
    with opener() as outer, zipfile.ZipFile(outer) as archive, archive.open(name) as member:
        yield member


def open_container(
    opener: Opener, detect: Callable[[str], str], *, max_line: int = _MAX_LINE
) -> tuple[str, XlsxLines | ZipExports]:
    """``("xlsx", XlsxLines)`` for a workbook, ``("zip", ZipExports)`` for a ZIP of exports
    (each member's format found by `detect` from its head), or a clear refusal."""
    with opener() as handle:
        try:
            with zipfile.ZipFile(handle) as archive:
                infos = archive.infolist()
                _check(infos)
                names = {info.filename for info in infos}
                if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                    names.add("mimetype" + archive.read("mimetype").decode("latin-1"))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
            raise MalformedFile("This ZIP archive is damaged and cannot be opened.") from None
    if "xl/workbook.xml" in names:
        return "xlsx", XlsxLines(opener, max_cell=max_line)
    if {"word/document.xml", "ppt/presentation.xml", "mimetype"} & names:
        raise office_or_zip(" ".join(sorted(names)))
    members = []
    for info in infos:
        if _ignored(info):
            continue
        members.append(_open_member(opener, info.filename, detect, max_line))
    if not members:
        raise UnsupportedFile("This ZIP holds no files.")
    return "zip", ZipExports(members)


def _open_member(opener: Opener, name: str, detect: Callable[[str], str], max_line: int) -> Member:
    def open_it():
        return _member(opener, name)

    try:
        with open_it() as handle:
            if is_zip(handle.read(4)):
                raise UnsupportedFile(
                    f"“{name[:80]}” in this ZIP is itself a ZIP or an Office file; import the "
                    "exports themselves (RIS, MEDLINE, CSV…), not archives inside archives."
                )
        with open_it() as handle:
            encoding = sniff_encoding(handle)
            head = head_text(handle, encoding)
    except UNPACK_ERRORS as error:
        raise damaged(name, error) from None
    try:
        fmt = detect(head)
    except UnsupportedFile as error:
        raise UnsupportedFile(f"“{name[:80]}” in this ZIP: {error}") from None
    return Member(name=name, fmt=fmt, lines=FileLines(open_it, encoding, max_line=max_line))
