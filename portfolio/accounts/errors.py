"""Domain errors raised by account services."""


class AccountError(Exception):
    """A rule about accounts was broken; the message is shown to the user as it is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
