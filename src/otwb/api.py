"""The FastAPI application: every context's router under ``/api/v1``, API keys, errors."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ConfigDict, Field

from otwb import __version__
from otwb.billing.api import router as billing_router
from otwb.billing.api_invoices import router as invoicing_router
from otwb.billing.api_settlement import router as billing_costs_router
from otwb.orders.api import router as orders_router
from otwb.orders.api_delivery import router as delivery_router
from otwb.orders.api_returns import router as returns_router
from otwb.orders.api_sourcing import router as sourcing_router
from otwb.platform import auth
from otwb.platform.auth import Role
from otwb.platform.http import Admin, Reader, install_error_handlers
from otwb.platform.idempotency import IdempotencyMiddleware
from otwb.platform.ids import ApiKeyId
from otwb.platform.runtime import Runtime
from otwb.transport.api import router as transport_router
from otwb.warehouse.api import router as warehouse_router

platform_router = APIRouter(tags=["access"])


class MeOut(BaseModel):
    tenant_id: str
    tenant_name: str
    role: Role
    key_id: str


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role
    name: str = Field(default="", max_length=200)


class KeyOut(BaseModel):
    id: str
    tenant_id: str
    role: Role
    token: str = Field(description="Shown once; only its hash is stored")


@platform_router.get("/me", response_model=MeOut)
def me(caller: Reader) -> MeOut:
    p = caller.principal
    tenant = auth.get_tenant(caller.runtime.uow(read_only=True), p.tenant_id)
    return MeOut(tenant_id=p.tenant_id, tenant_name=tenant.name, role=p.role, key_id=p.key_id)


@platform_router.post("/api-keys", status_code=201, response_model=KeyOut)
def create_api_key(body: KeyIn, caller: Admin) -> KeyOut:
    key = auth.create_api_key(caller.uow(), body.role, body.name)
    return KeyOut(id=key.id, tenant_id=key.tenant_id, role=key.role, token=key.token)


@platform_router.delete("/api-keys/{key_id}", status_code=204)
def revoke_api_key(key_id: str, caller: Admin) -> None:
    auth.revoke_api_key(caller.uow(), ApiKeyId(key_id))


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(
        title="OTWB",
        version=__version__,
        description="Orders, Transport, Warehouse and Billing for B2B logistics. "
        "Authenticate with 'Authorization: Bearer <API key>'. Errors are problem+json.",
        openapi_url="/openapi.json",
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.add_middleware(IdempotencyMiddleware)

    @app.get("/health", tags=["access"])
    def health() -> dict[str, str]:
        return {"status": "ok", "database": runtime.db.dialect}

    for router in (
        platform_router,
        orders_router,
        sourcing_router,
        delivery_router,
        returns_router,
        warehouse_router,
        transport_router,
        billing_router,
        invoicing_router,
        billing_costs_router,
    ):
        app.include_router(router, prefix="/api/v1")
    return app
