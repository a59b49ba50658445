"""Screening models, one module per part of the flow:

- imports.py: ImportBatch (one uploaded export) and Record (one bibliographic record),
  with RecordState, the record's place in the PRISMA flow.
- dedupe.py: DuplicateGroup, CandidatePair and the DedupeEvent history.
- decisions.py: screening settings, exclusion reasons, votes, per-stage outcomes,
  resolutions, queue leases and the VoteEvent history.
- fulltext.py: FullText, a record's PDF or why it was not retrieved.
- search_index.py: RecordSearch, each record's full-text document (PostgreSQL search).
- search_log.py: SearchRound (initial search and updates) and SearchLogEntry (PRISMA-S).
- ranking.py: per-reviewer relevance models, their scores, the retraining schedule and
  the lead's stopping decisions.
- known_relevant.py: papers the lead pasted as already known relevant (cold start).
- tags.py: the review's tags and who put which on which record.
- comments.py: the discussion per record and its @mentions.
- actions.py: RecordsAction, the log of the records list's bulk actions and exports.
"""

from screening.models.actions import ActionKind, RecordsAction
from screening.models.comments import Comment, Mention
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
from screening.models.embeddings import RecordEmbedding
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
from screening.models.known_relevant import KnownKind, KnownRelevant
from screening.models.prisma import PrismaOptions
from screening.models.ranking import (
    ModelStatus,
    RankedOrder,
    RankingModelState,
    RankingSchedule,
    RecordScore,
    StoppingDecision,
    StopRule,
)
from screening.models.search_index import RecordSearch
from screening.models.search_log import SearchLogEntry, SearchRound
from screening.models.tags import RecordTag, Tag

__all__ = [
    "ActionKind",
    "KnownKind",
    "KnownRelevant",
    "RecordsAction",
    "CITATION_FIELDS",
    "SETTINGS_FIELDS",
    "CandidatePair",
    "Comment",
    "DedupeAction",
    "DedupeEvent",
    "DuplicateGroup",
    "ExclusionReason",
    "FinalVerdict",
    "FullText",
    "ImportBatch",
    "ImportStatus",
    "Lease",
    "Mention",
    "ModelStatus",
    "OutcomeStatus",
    "PairStatus",
    "PrismaOptions",
    "RankedOrder",
    "RankingModelState",
    "RankingSchedule",
    "Record",
    "RecordEmbedding",
    "RecordScore",
    "RecordSearch",
    "RecordState",
    "RecordTag",
    "Resolution",
    "ResolutionKind",
    "ScreeningSettings",
    "SearchLogEntry",
    "SearchRound",
    "SettledBy",
    "KeepDecisions",
    "SourceKind",
    "Stage",
    "StageOutcome",
    "StopRule",
    "StoppingDecision",
    "Tag",
    "Verdict",
    "Vote",
    "VoteAction",
    "VoteEvent",
]
