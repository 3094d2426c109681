"""Errors the domain raises; the API turns them into 4xx answers with their message."""


class DomainError(Exception):
    """A request that the rules of the domain refuse; nothing was changed."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(DomainError):
    """The delivery's status does not allow the requested step."""

    status_code = 409


class ConcurrentChange(TransitionNotAllowed):
    """Another request changed the delivery first; reload and decide again."""
