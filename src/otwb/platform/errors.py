"""Typed domain errors. Each has an HTTP status and a machine ``code``; the API renders them as
RFC 9457 problem+json (``type``, ``title``, ``status``, ``detail``, ``code``)."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "domain_error"
    title: ClassVar[str] = "The request breaks a rule of the domain"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Not found"


class InvalidInput(DomainError):
    """Well-formed input that the domain refuses (an unknown SKU, an empty address field)."""

    status = 422
    code = "invalid_input"
    title = "Invalid input"


class UnknownSku(InvalidInput):
    code = "unknown_sku"
    title = "Unknown SKU"


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_transition"
    title = "The transition is not allowed from the current state"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict with the current state"


class OutOfStock(DomainError):
    status = 409
    code = "out_of_stock"
    title = "Not enough available stock"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    title = "Missing or invalid API key"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "The API key's role does not allow this"
