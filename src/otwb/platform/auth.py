"""Tenants and API keys.

A key looks like ``otwb_<key id>_<secret>``. Only the SHA-256 of the secret is stored (the
secret is 256 random bits, so a fast hash is the right tool; there is nothing to brute-force), and
it is compared in constant time. Each key is bound to one tenant and one role.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from otwb.platform.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from otwb.platform.ids import ApiKeyId, TenantId
from otwb.platform.money import Money
from otwb.platform.tables import api_keys, tenants
from otwb.platform.uow import UnitOfWork


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    READ_ONLY = "read_only"

    def allows(self, needed: Role) -> bool:
        rank = {Role.READ_ONLY: 0, Role.OPERATOR: 1, Role.ADMIN: 2}
        return rank[self] >= rank[needed]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key of one tenant, with one role."""

    tenant_id: TenantId
    role: Role
    key_id: ApiKeyId

    def require(self, needed: Role) -> None:
        if not self.role.allows(needed):
            raise Forbidden(f"this needs the {needed.value} role; the key has {self.role.value}")


@dataclass(frozen=True)
class Tenant:
    id: TenantId
    name: str
    currency: str


@dataclass(frozen=True)
class IssuedKey:
    id: ApiKeyId
    tenant_id: TenantId
    role: Role
    token: str  # shown once; never stored


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_tenant(uow: UnitOfWork, name: str, currency: str = "EUR") -> Tenant:
    name = name.strip()
    if not name:
        raise InvalidInput("a tenant needs a name")
    Money.zero(currency)  # validates the ISO code
    tenant = Tenant(TenantId(uow.ids.new("ten")), name, currency)
    with uow:
        taken = uow.conn.execute(select(tenants.c.id).where(tenants.c.name == name)).first()
        if taken is not None:
            raise Conflict(f"a tenant named {name!r} already exists")
        try:
            uow.conn.execute(
                insert(tenants).values(
                    id=tenant.id, name=name, currency=currency, created_at=uow.clock.now()
                )
            )
        except IntegrityError:  # a concurrent creation of the same name
            raise Conflict(f"a tenant named {name!r} was just created") from None
        uow.commit()
    return tenant


def get_tenant(uow: UnitOfWork, tenant_id: TenantId) -> Tenant:
    with uow:
        row = uow.conn.execute(select(tenants).where(tenants.c.id == tenant_id)).one_or_none()
    if row is None:
        raise NotFound(f"no tenant {tenant_id}")
    return Tenant(TenantId(row.id), row.name, row.currency)


def list_tenants(uow: UnitOfWork) -> list[Tenant]:
    with uow:
        rows = uow.conn.execute(select(tenants).order_by(tenants.c.name)).all()
    return [Tenant(TenantId(r.id), r.name, r.currency) for r in rows]


def create_api_key(uow: UnitOfWork, role: Role, name: str = "") -> IssuedKey:
    """Issue a key for ``uow``'s tenant. The token is returned once and never stored."""
    key_id = ApiKeyId(uow.ids.new("key"))
    secret = secrets.token_urlsafe(32)
    with uow:
        exists = uow.conn.execute(
            select(tenants.c.id).where(tenants.c.id == uow.tenant_id)
        ).one_or_none()
        if exists is None:
            raise NotFound(f"no tenant {uow.tenant_id}")
        uow.conn.execute(
            insert(api_keys).values(
                id=key_id,
                tenant_id=uow.tenant_id,
                name=name or role.value,
                role=role.value,
                secret_sha256=_digest(secret),
                created_at=uow.clock.now(),
            )
        )
        uow.commit()
    return IssuedKey(key_id, uow.tenant_id, role, f"otwb_{key_id}_{secret}")


def revoke_api_key(uow: UnitOfWork, key_id: ApiKeyId) -> None:
    with uow:
        result = uow.conn.execute(
            update(api_keys)
            .where(api_keys.c.id == key_id, api_keys.c.tenant_id == uow.tenant_id)
            .values(revoked_at=uow.clock.now())
        )
        if result.rowcount == 0:
            raise NotFound(f"no API key {key_id}")
        uow.commit()


def authenticate(uow: UnitOfWork, token: str) -> Principal:
    """The principal a token stands for, or ``Unauthorized``."""
    # otwb_ + key id ("key_" + 26-character ULID) + _ + secret (which may itself hold "_")
    key_id, sep, secret = token[5:35], token[35:36], token[36:]
    if not token.startswith("otwb_key_") or sep != "_" or not secret:
        raise Unauthorized("malformed API key")
    with uow:
        row = uow.conn.execute(select(api_keys).where(api_keys.c.id == key_id)).one_or_none()
    if (
        row is None
        or row.revoked_at is not None
        or not hmac.compare_digest(row.secret_sha256, _digest(secret))
    ):
        raise Unauthorized("unknown or revoked API key")
    return Principal(TenantId(row.tenant_id), Role(row.role), ApiKeyId(row.id))
