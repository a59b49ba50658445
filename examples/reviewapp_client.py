"""A small reviewapp API client: list a review's included studies and download the
evidence table (and the files for R). Standard library only (urllib), token auth.

    export REVIEWAPP_TOKEN=...   # top-right menu -> API token
    python examples/reviewapp_client.py http://127.0.0.1:8000 1 evidence.csv

Tested against a live server in tests/interchange/test_client_example.py.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request


class ReviewappClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 60) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("The server's address starts with http:// or https://")
        self.base = base_url.rstrip("/") + "/api"
        self.token = token
        self.timeout = timeout

    def _get(self, path: str) -> bytes:
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
            self.base + path, headers={"Authorization": f"Token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            return response.read()

    def included_studies(self, review_id: int) -> list[dict]:
        """[{id, label, reports: [{record_id, title, year, doi}]}] for a review."""
        return json.loads(self._get(f"/reviews/{review_id}/studies/"))

    def evidence_table(self, review_id: int, fmt: str = "csv") -> bytes:
        """The evidence table as csv, xlsx or json."""
        return self._get(f"/reviews/{review_id}/evidence-table/?format={fmt}")

    def for_r(self, review_id: int, kind: str, outcome: str = "") -> bytes:
        """robvis-rob2, robvis-domain, long or meta (optionally one outcome) as CSV."""
        query = f"?outcome={urllib.request.quote(outcome)}" if outcome else ""
        return self._get(f"/reviews/{review_id}/evidence-table/{kind}/{query}")


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    base, review_id, out = argv[1], int(argv[2]), argv[3]
    client = ReviewappClient(base, os.environ["REVIEWAPP_TOKEN"])
    try:
        studies = client.included_studies(review_id)
        data = client.evidence_table(review_id, "xlsx" if out.endswith(".xlsx") else "csv")
    except urllib.error.HTTPError as exc:
        print(f"reviewapp answered {exc.code}: {exc.read().decode(errors='replace')}")
        return 1
    for study in studies:
        print(f"{study['label']}: {len(study['reports'])} report(s)")
    with open(out, "wb") as handle:
        handle.write(data)
    print(f"{len(studies)} included studies; evidence table saved to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
