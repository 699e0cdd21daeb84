"""An HTTP client on the real app, with API keys of every role for the test tenant."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from otwb.api import create_app
from otwb.platform import auth
from otwb.platform.auth import Role, Tenant
from otwb.platform.runtime import Runtime


@dataclass
class Keys:
    admin: dict[str, str]
    operator: dict[str, str]
    read_only: dict[str, str]


def headers_for(runtime: Runtime, tenant: Tenant, role: Role) -> dict[str, str]:
    key = auth.create_api_key(runtime.uow(tenant.id), role)
    return {"Authorization": f"Bearer {key.token}"}


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    return TestClient(create_app(runtime), raise_server_exceptions=False)


@pytest.fixture
def keys(runtime: Runtime, tenant: Tenant) -> Keys:
    return Keys(
        *(headers_for(runtime, tenant, r) for r in (Role.ADMIN, Role.OPERATOR, Role.READ_ONLY))
    )


def assert_problem(response, status: int, code: str) -> dict:
    """The response is problem+json with this status and machine code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"]
    assert body["detail"]
    assert body["type"] == f"urn:otwb:problem:{code}"
    return body
