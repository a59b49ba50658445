"""Where the real exports and labelled sets of ../shared/data live, for `realdata` tests.

CI has ../shared beside the clone; elsewhere the tests that need it skip cleanly.
Set REVIEWAPP_SHARED_DATA to point somewhere else.
"""

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get(
        "REVIEWAPP_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)

requires_shared_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"shared data not found at {SHARED_DATA}"
)
