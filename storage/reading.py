"""What every session of a use case that only reads shares: it refuses to write."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session


class ReadOnlySession(Session):
    """A session that refuses to write: what it would save is a bug in a reading use case."""

    def close(self) -> None:
        """Close, then refuse what was added, changed or deleted and never flushed (no
        transaction is committed, so nothing else would tell)."""
        pending = bool(self.new or self.dirty or self.deleted)
        super().close()
        if pending:
            raise RuntimeError("a reading session cannot write")


@event.listens_for(ReadOnlySession, "before_flush")
def _refuse_writes(session: Session, *_: object) -> None:
    raise RuntimeError("a reading session cannot write")
