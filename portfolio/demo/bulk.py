"""Bulk writes for generated data: IDs handed out up front (so rows can point at each other
before they are written), Core inserts in batches, and PostgreSQL sequences moved past them."""

from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa

from portfolio.extensions import db

BATCH = 5_000


class BulkWriter:
    """Hands out primary keys and writes rows with `INSERT ... executemany` in batches."""

    def __init__(self, batch: int = BATCH):
        self.batch = batch
        self.counts: Counter[str] = Counter()
        self._next: dict[str, int] = {}

    def ids(self, table: sa.Table, n: int) -> range:
        """`n` fresh IDs for `table`, above every ID it holds (the generator is the only writer
        while it runs)."""
        start = self._next.get(table.name)
        if start is None:
            start = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
        self._next[table.name] = start + n
        return range(start, start + n)

    def insert(self, table: sa.Table, rows: Iterable[dict]) -> int:
        """Insert plain dicts (every dict with the same keys), `batch` rows a statement."""
        rows = list(rows)
        for i in range(0, len(rows), self.batch):
            db.session.execute(sa.insert(table), rows[i : i + self.batch])
        self.counts[table.name] += len(rows)
        return len(rows)

    def finish(self) -> None:
        """PostgreSQL's sequences know nothing of IDs given explicitly: move each one on, so
        the app's next insert does not collide with a generated row."""
        if db.session.get_bind().dialect.name != "postgresql":
            return
        for name in self._next:
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                )
            )
