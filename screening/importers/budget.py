"""What one import may cost: the size caps every parser and the import service keep to.

A hostile or broken file must not take the worker's memory or time: a field or a record
over its cap is rejected with its line and a clear reason (the rest of the file imports),
`raw` keeps at most `max_columns` original tags/columns of a record, and the number of
records in one file is capped. The import service builds a `Budget` from the settings
(``IMPORT_MAX_*``, see the README's security section); the defaults are these.
"""

from __future__ import annotations

from dataclasses import dataclass

from .records import ParsedRecord, Rejection


@dataclass(frozen=True)
class Budget:
    max_field_chars: int = 200_000  # one tag's value, one CSV cell, one line
    max_record_chars: int = 1_000_000  # all of one record's values together
    max_columns: int = 300  # original tags/columns kept in `raw` per record
    max_records: int = 200_000  # records (and rejections) in one file

    def check(self, record: ParsedRecord) -> ParsedRecord | Rejection:
        """The record with `raw` bounded, or its rejection for a field or size over a cap."""
        total = 0
        for tag, values in record.raw.items():
            for value in values:
                size = len(value) if isinstance(value, str) else 0
                if size > self.max_field_chars:
                    return Rejection(
                        record.line,
                        f"the {str(tag)[:40]!r} value is longer than {self.max_field_chars:,} "
                        "characters, the limit for one field",
                    )
                total += size
        if total > self.max_record_chars:
            return Rejection(
                record.line,
                f"the record is {total:,} characters long; the limit is {self.max_record_chars:,}",
            )
        if len(record.raw) > self.max_columns:
            kept = dict(list(record.raw.items())[: self.max_columns])
            kept["reviewapp: columns not kept"] = [str(len(record.raw) - self.max_columns)]
            record.raw = kept
        return record


DEFAULT = Budget()
