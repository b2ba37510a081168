"""What one run of the large-demo generator carries from step to step: the random generator,
the clock, rows waiting to be written (in foreign-key order), and log entries waiting to be
chained once every other row exists."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from portfolio.demo.bulk import BulkWriter
from portfolio.demo.cases import CasePlan, ScenarioKit
from portfolio.extensions import db

FLUSH_AT = 40_000


@dataclass(frozen=True)
class CriterionRow:
    id: int
    ref: str
    text: str


@dataclass
class PendingLogEntry:
    """A decision-log entry before it has a place in the chain."""

    created_at: datetime
    kind: str
    actor_id: int
    submission_id: int | None
    payload: dict[str, Any]


@dataclass
class GeneratedCase:
    id: int
    kit: ScenarioKit
    plan: CasePlan
    created_at: datetime


@dataclass
class Learner:
    id: int
    name: str
    email: str
    assessor_id: int | None
    iqa_id: int | None
    cohort_index: int


@dataclass
class Generation:
    rng: random.Random
    now: datetime
    writer: BulkWriter
    centre_id: int
    centre_name: str
    unit_id: int
    unit_outline: dict
    criteria: list[CriterionRow]
    kits: list[ScenarioKit]
    names: dict[int, str] = field(default_factory=dict)  # user id -> full name
    new_assessors: set[int] = field(default_factory=set)
    log: list[PendingLogEntry] = field(default_factory=list)
    completed: list[dict] = field(default_factory=list)  # completed assessments, for IQA
    _rows: dict[sa.Table, list[dict]] = field(default_factory=lambda: defaultdict(list))
    _pending: int = 0

    def add(self, table: sa.Table, row: dict) -> None:
        """Queue a row; `flush` writes the queue in foreign-key order."""
        self._rows[table].append(row)
        self._pending += 1

    def maybe_flush(self) -> None:
        """Write the queue once enough rows have gathered. Called only between whole units of
        work (a learner, a sampling plan), so every queued row's parents are queued too."""
        if self._pending >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        for table in db.metadata.sorted_tables:
            rows = self._rows.pop(table, None)
            if rows:
                self.writer.insert(table, rows)
        self._pending = 0

    def log_entry(self, at: datetime, kind: str, actor_id: int, submission_id, payload) -> None:
        self.log.append(PendingLogEntry(at, kind, actor_id, submission_id, payload))
