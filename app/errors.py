"""Domain errors. Each door (form, API, CLI) turns them into its own kind of answer; `status`
is the HTTP answer an API gives."""


class DomainError(Exception):
    """A rule of the register was broken; the message is for the user, in their language."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    pass


class OutsideScope(DomainError):
    """Writing into, or moving a record to, a region outside the user's scope."""

    status = 403


class Conflict(DomainError):
    """The record changed since the user read it (optimistic locking)."""

    status = 409


class NotFound(DomainError):
    status = 404


class LookupRefused(DomainError):
    """The lookup is not answered: the user is suspended (403) or out of quota (429)."""

    status = 403


class QuotaUsedUp(LookupRefused):
    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
