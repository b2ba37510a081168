"""The one exception the analysis package raises for bad input."""

from __future__ import annotations


class AnalysisError(ValueError):
    """Bad input to an analysis: an unknown grouping, measure, flag or category, or a bad log.

    ``str(error)`` is a complete sentence fit to show a learner. ``field`` names the parameter
    at fault (``"group_by"``, ``"measure"``, ``"flag"``, ``"exclude_flag"``, ``"category"``,
    ``"months"`` or ``"log"``) so a form can put the message beside the right control.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
