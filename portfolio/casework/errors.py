"""Casework exceptions: ``RulesError`` from the pure rules, ``CaseworkError`` from services."""


class RulesError(ValueError):
    """A request the scenario's rules refuse; the message is fit to show the learner."""


class CaseworkError(Exception):
    """A casework action was refused; the message is shown to the learner as it is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AuthorisationNeeded(CaseworkError):
    """Sending was refused because the remedy needs a manager's authorisation it does not have;
    the next step is on the remedy page."""


class StaleEdit(CaseworkError):
    """A save named an older version of a record than the one stored."""

    def __init__(self, kind: str, stored_version: int):
        super().__init__(
            "This was changed elsewhere (another tab or device) after you opened it, so your "
            "save was not applied. Your text is still below: copy anything you need, reload "
            "the page to see the newer version, then make your change again."
        )
        self.kind = kind
        self.stored_version = stored_version
