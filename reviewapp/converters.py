"""The URL converter for object ids: `<id:record_id>` in every urls.py.

Django's `<int:…>` takes any run of digits, so an id past 64 bits reached the database
(an OverflowError, a 500, on SQLite). `id` matches 1 to 19 digits and refuses 0 and
anything past `reviewapp.http.MAX_ID`; a refused value is simply no match: a 404, as for
any missing object.
"""

from __future__ import annotations

from reviewapp.http import parse_id


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # Django answers "no match": 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))
