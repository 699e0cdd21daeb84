"""What every context's router shares: who is calling, and errors as problem+json (RFC 9457)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from otwb.platform.auth import Principal, Role, authenticate
from otwb.platform.errors import DomainError, Unauthorized
from otwb.platform.runtime import Runtime
from otwb.platform.uow import UnitOfWork

log = logging.getLogger("otwb.api")

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of a request, and units of work scoped to its tenant."""

    runtime: Runtime
    principal: Principal

    def uow(self) -> UnitOfWork:
        return self.runtime.uow(self.principal.tenant_id)

    def reader(self) -> UnitOfWork:
        return self.runtime.uow(self.principal.tenant_id, read_only=True)


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _caller(needed: Role) -> Any:
    def dependency(
        request: Request,
        authorization: Annotated[str | None, Header(description="Bearer <API key>")] = None,
    ) -> Caller:
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthorized("send 'Authorization: Bearer <API key>'")
        runtime = runtime_of(request)
        principal = authenticate(runtime.uow(read_only=True), authorization[7:].strip())
        principal.require(needed)
        return Caller(runtime, principal)

    return Depends(dependency)


Reader = Annotated[Caller, _caller(Role.READ_ONLY)]
Operator = Annotated[Caller, _caller(Role.OPERATOR)]
Admin = Annotated[Caller, _caller(Role.ADMIN)]


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"urn:otwb:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.title, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        if any(e["type"] == "json_invalid" for e in errors):
            return problem(
                400,
                "malformed_json",
                "Malformed JSON",
                "the request body is not valid JSON",
                errors=errors,
            )
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem(422, "validation_error", "The request is not valid", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return problem(exc.status_code, code, code.replace("_", " ").capitalize(), str(exc.detail))

    @app.exception_handler(IntegrityError)
    async def integrity_error(_: Request, exc: IntegrityError) -> JSONResponse:
        # A database guard (UNIQUE, CHECK) caught what a concurrent request changed meanwhile.
        log.warning("database guard refused a write: %s", exc.orig)
        return problem(
            409,
            "constraint_violation",
            "Refused by a database guard",
            "the change conflicts with the current data; nothing was written",
        )

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem(
            500,
            "internal_error",
            "Internal error",
            "an unexpected error occurred; nothing was written",
        )
