"""Table exports of a review's screening, streamed row by row.

- `tables.py`: one generator per table (records, votes, conflicts, included); each yields
  a header row, then one row per item, reading the database with a fixed number of
  queries whatever the size of the review (merged cursors, never one query per record).
- `ris.py`: included records as RIS, with each RIS record's original tags.
- `responses.py`: the HTTP responses (streamed CSV and RIS, XLSX from a temporary file)
  shared by the pages and the API.

Blinding: what a member may see follows `screening.visibility` (the one policy). Under
blinding, leads and owners export every vote of a stage once it is settled or in
conflict (never of a record still waiting for votes, which they may screen too);
reviewers export their own votes and every vote of a stage once it is settled (a
conflict shows as "unsettled"); viewers export records and their states and settled
decisions, without votes. With blinding off, screeners export every vote.
"""

from screening.exports.tables import TABLES, ExportTable

__all__ = ["TABLES", "ExportTable"]
