"""``Idempotency-Key``: a retried request gets the first answer, never a second effect.

Any POST, PUT, PATCH or DELETE may carry an ``Idempotency-Key`` header (a client-chosen string,
a UUID say). The first request with a key *claims* it for the caller's tenant, runs, and its
answer (status, body) is stored under the key. A retry with the same key and the same request
gets that stored answer back (header ``Idempotent-Replayed: true``) without running again --
a scanner that resends, a client that timed out, a network that duplicated. The same key with a
different request (method, path, query or body) is refused with 422 ``idempotency_key_reused``;
while the first is still running, a duplicate gets 409 ``idempotency_key_in_use`` -- so two
concurrent duplicates create exactly one record.

Answers of 5xx are not kept (the claim is released, the client may retry). Keys are kept for
24 hours; a claim left by a crashed request is taken over after a minute.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from otwb.platform.auth import authenticate
from otwb.platform.errors import DomainError
from otwb.platform.http import problem
from otwb.platform.ids import TenantId
from otwb.platform.runtime import Runtime
from otwb.platform.tables import idempotency_keys

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEEP = timedelta(hours=24)
STALE_CLAIM = timedelta(minutes=1)


@dataclass(frozen=True)
class Stored:
    status: int
    media_type: str
    body: bytes


class Claimed:
    """This request holds the key: run it, then ``complete`` or ``release``."""


class InFlight:
    """Another request with this key is running now."""


class Mismatch:
    """The key was used for a different request."""


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim(
    runtime: Runtime, tenant_id: TenantId, key: str, print_: str
) -> Claimed | InFlight | Mismatch | Stored:
    now = runtime.clock.now()
    where = (idempotency_keys.c.tenant_id == tenant_id, idempotency_keys.c.key == key)
    with runtime.db.engine.begin() as conn:
        row = conn.execute(select(idempotency_keys).where(*where)).one_or_none()
        if row is not None and (
            row.created_at < now - KEEP
            or (row.status == "in_flight" and row.created_at < now - STALE_CLAIM)
        ):
            conn.execute(delete(idempotency_keys).where(*where))  # expired, or abandoned
            row = None
        if row is None:
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(idempotency_keys).values(
                            tenant_id=tenant_id,
                            key=key,
                            fingerprint=print_,
                            status="in_flight",
                            created_at=now,
                        )
                    )
                return Claimed()
            except IntegrityError:  # a concurrent duplicate claimed it first
                row = conn.execute(select(idempotency_keys).where(*where)).one()
    if row.fingerprint != print_:
        return Mismatch()
    if row.status == "in_flight":
        return InFlight()
    return Stored(row.response_status, row.response_type, (row.response_body or "").encode())


def complete(runtime: Runtime, tenant_id: TenantId, key: str, answer: Stored) -> None:
    with runtime.db.engine.begin() as conn:
        conn.execute(
            update(idempotency_keys)
            .where(idempotency_keys.c.tenant_id == tenant_id, idempotency_keys.c.key == key)
            .values(
                status="done",
                response_status=answer.status,
                response_type=answer.media_type,
                response_body=answer.body.decode(),
                completed_at=runtime.clock.now(),
            )
        )


def release(runtime: Runtime, tenant_id: TenantId, key: str) -> None:
    with runtime.db.engine.begin() as conn:
        conn.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.tenant_id == tenant_id, idempotency_keys.c.key == key
            )
        )


class IdempotencyMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        key = request.headers.get(HEADER)
        if key is None or request.method not in METHODS:
            return await call_next(request)
        if not 1 <= len(key) <= 255 or not key.isprintable():
            return problem(
                400,
                "invalid_idempotency_key",
                "Invalid Idempotency-Key",
                "an Idempotency-Key is 1 to 255 printable characters",
            )
        runtime: Runtime = request.app.state.runtime
        token = request.headers.get("authorization", "")
        try:
            principal = await run_in_threadpool(
                authenticate, runtime.uow(read_only=True), token.removeprefix("Bearer ").strip()
            )
        except DomainError:
            return await call_next(request)  # the route answers 401 itself
        tenant = principal.tenant_id
        print_ = fingerprint(
            request.method, request.url.path, request.url.query, await request.body()
        )
        state = await run_in_threadpool(claim, runtime, tenant, key, print_)
        if isinstance(state, Stored):
            return Response(
                state.body, state.status, media_type=state.media_type, headers={REPLAYED: "true"}
            )
        if isinstance(state, Mismatch):
            return problem(
                422,
                "idempotency_key_reused",
                "Idempotency-Key reused",
                "this Idempotency-Key was used for a different request",
            )
        if isinstance(state, InFlight):
            return problem(
                409,
                "idempotency_key_in_use",
                "Idempotency-Key in use",
                "a request with this Idempotency-Key is still being processed",
            )
        try:
            response = await call_next(request)
            body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        except BaseException:
            await run_in_threadpool(release, runtime, tenant, key)
            raise
        if response.status_code >= 500:
            await run_in_threadpool(release, runtime, tenant, key)
        else:
            answer = Stored(
                response.status_code, response.headers.get("content-type", "application/json"), body
            )
            await run_in_threadpool(complete, runtime, tenant, key, answer)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return Response(body, response.status_code, headers=headers)
