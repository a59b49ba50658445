"""Extraction models, one module per part of the work:

- studies.py: Study (what the evidence table has a row for) and StudyReport (an
  included record linked to exactly one study).
- forms.py: ExtractionSettings (extractors per study, the domain tool) and FormVersion
  (the extraction form's definition, one row per version).
- sheets.py: Sheet (one assessor's values for one study and one instrument) with its
  append-only SheetEvent history, and Consensus with its ConsensusEvent history.
"""

from extraction.models.forms import ExtractionSettings, FormVersion
from extraction.models.sheets import (
    Consensus,
    ConsensusEvent,
    EventAction,
    Instrument,
    Sheet,
    SheetEvent,
)
from extraction.models.studies import Study, StudyReport

__all__ = [
    "Consensus",
    "ConsensusEvent",
    "EventAction",
    "ExtractionSettings",
    "FormVersion",
    "Instrument",
    "Sheet",
    "SheetEvent",
    "Study",
    "StudyReport",
]
