"""HTTP routes of this context."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
