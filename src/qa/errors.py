"""Errors every layer may raise, each with the HTTP status and the error code it stands for.

The core and the service raise these; the web layer (``qa.web.errors``) is the one place that turns
one into ``{"error": {"code", "message"}}`` or an error page, and the command line prints the message.
As in datasette's ``NotFound(Base400)``, the status lives on the class at the bottom layer.
"""

from __future__ import annotations


class QAError(Exception):
    """An error with an HTTP status and a stable code; ``headers`` go on the response."""

    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.headers = headers


class InvalidInput(QAError):
    status, code = 422, "validation_error"


class NotFound(QAError):
    status, code = 404, "not_found"


class Unauthorized(QAError):
    status, code = 401, "unauthorized"


class Forbidden(QAError):
    status, code = 403, "forbidden"


class CannotAnswer(QAError):
    status, code = 422, "cannot_answer"


class Busy(QAError):
    status, code = 503, "unavailable"


class AnswerTimeout(QAError):
    status, code = 504, "timeout"


class IndexLoadError(QAError):
    """The index directory is missing, damaged or built for another model or format."""

    status, code = 500, "index_error"


class BuildLockedError(QAError):
    """Another ``qa index`` holds the build lock."""

    status, code = 409, "build_locked"


class CorpusError(QAError):
    """A corpus folder or document that cannot be read."""

    status, code = 422, "corpus_error"
