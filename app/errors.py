"""Domain errors. Each door (form, API, CLI) turns them into its own kind of answer."""


class DomainError(Exception):
    """A rule of the register was broken; the message is for the user, in their language."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    pass


class NotFound(DomainError):
    pass
