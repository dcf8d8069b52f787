"""Domain errors that map to one HTTP status and one typed RPC error, in every service."""

from __future__ import annotations

from typing import Any

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
