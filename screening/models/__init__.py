"""Screening models, one module per part of the flow:

- imports.py: ImportBatch (one uploaded export) and Record (one bibliographic record),
  with RecordState, the record's place in the PRISMA flow.
- dedupe.py: DuplicateGroup, CandidatePair and the DedupeEvent history.
- decisions.py: screening settings, exclusion reasons, votes, per-stage outcomes,
  resolutions, queue leases and the VoteEvent history.
- fulltext.py: FullText, a record's PDF or why it was not retrieved.
- ranking.py: per-reviewer relevance models, their scores, the retraining schedule and
  the lead's stopping decisions.
"""

from screening.models.decisions import (
    SETTINGS_FIELDS,
    ExclusionReason,
    FinalVerdict,
    Lease,
    OutcomeStatus,
    Resolution,
    ResolutionKind,
    ScreeningSettings,
    SettledBy,
    Stage,
    StageOutcome,
    Verdict,
    Vote,
    VoteAction,
    VoteEvent,
)
from screening.models.dedupe import (
    CandidatePair,
    DedupeAction,
    DedupeEvent,
    DuplicateGroup,
    PairStatus,
)
from screening.models.fulltext import FullText
from screening.models.imports import (
    CITATION_FIELDS,
    ImportBatch,
    ImportStatus,
    KeepDecisions,
    Record,
    RecordState,
    SourceKind,
)
from screening.models.prisma import PrismaOptions
from screening.models.ranking import (
    ModelStatus,
    RankingModelState,
    RankingSchedule,
    RecordScore,
    StoppingDecision,
    StopRule,
)

__all__ = [
    "CITATION_FIELDS",
    "SETTINGS_FIELDS",
    "CandidatePair",
    "DedupeAction",
    "DedupeEvent",
    "DuplicateGroup",
    "ExclusionReason",
    "FinalVerdict",
    "FullText",
    "ImportBatch",
    "ImportStatus",
    "Lease",
    "ModelStatus",
    "OutcomeStatus",
    "PairStatus",
    "PrismaOptions",
    "RankingModelState",
    "RankingSchedule",
    "Record",
    "RecordScore",
    "RecordState",
    "Resolution",
    "ResolutionKind",
    "ScreeningSettings",
    "SettledBy",
    "KeepDecisions",
    "SourceKind",
    "Stage",
    "StageOutcome",
    "StopRule",
    "StoppingDecision",
    "Verdict",
    "Vote",
    "VoteAction",
    "VoteEvent",
]
