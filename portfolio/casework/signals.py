"""Signals casework sends as a case's records change, so that later features (the portfolio's
evidence items) follow a case without casework importing them: the evidence package imports
casework, so a direct call back would tie the two packages in a loop.

Receivers run inside the sending service, in its transaction: they flush and never commit,
and anything they raise stops the save."""

from blinker import Namespace

_signals = Namespace()

#: Sent (the sender is the Case) once a record of the case is saved and flushed. ``record``
#: names it: ``"case"`` for a case just started, a ``CaseRecord`` kind (``"root_cause"``,
#: ``"letter"``, ``"correspondence"``, ...), ``"finding"``, ``"timeline"``, ``"analysis"`` or
#: ``"recommendation"``; ``record_id`` is the row's id.
record_saved = _signals.signal("record-saved")

#: Sent (the sender is the Case) when a record is deleted, with ``record`` and ``record_id``
#: as for ``record_saved``, before the row is deleted.
record_deleted = _signals.signal("record-deleted")
