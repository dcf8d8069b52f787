"""Domain errors that map to one HTTP status and one typed RPC error, in every service."""

from __future__ import annotations

from typing import Any

import asyncpg

from em_shared.contracts.base import RpcError


class ServiceError(Exception):
    """Raised by handlers; the HTTP layer and the RPC responder turn it into a clear 4xx/5xx."""

    code = "internal"
    status = 500

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_rpc(self) -> RpcError:
        return RpcError(code=self.code, message=self.message, status=self.status, details=self.details)


class InvalidInput(ServiceError):
    code, status = "invalid", 400


class Unprocessable(ServiceError):
    code, status = "unprocessable", 422


class NotFound(ServiceError):
    code, status = "not_found", 404


class Conflict(ServiceError):
    code, status = "conflict", 409


class Unauthorized(ServiceError):
    code, status = "unauthorized", 401


class Forbidden(ServiceError):
    code, status = "forbidden", 403


class Unavailable(ServiceError):
    code, status = "unavailable", 503


class RpcFailure(ServiceError):
    """The reply of another service was an error (or never came); keeps its code and status."""

    def __init__(self, error: RpcError) -> None:
        super().__init__(error.message, error.details)
        self.code = error.code
        self.status = error.status
        self.error = error


def from_database(exc: asyncpg.exceptions.DataError) -> InvalidInput:
    """A value PostgreSQL refused (SQLSTATE class 22: a NUL character in text, a number out of
    range, a lone surrogate asyncpg cannot encode) came from the caller, so it is the caller's 400
    with PostgreSQL's reason, not a 500. Nothing was written: the statement failed as a whole."""
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(
        exc,
        asyncpg.exceptions.CharacterNotInRepertoireError | asyncpg.exceptions.UntranslatableCharacterError,
    ):  # text columns refuse NUL (22021); jsonb refuses its escape \\u0000 (22P05)
        reason = "text contains a NUL character (\\u0000), which PostgreSQL text cannot store"
    return InvalidInput(f"a value was refused by the database: {reason}")
