"""Configuration from the environment (``OTWB_*``), with working defaults."""

from __future__ import annotations

from decimal import Decimal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OTWB_", extra="ignore")

    database_url: str = "sqlite:///otwb.db"
    """SQLAlchemy URL. SQLite (the embedded default) or ``postgresql+psycopg://...``."""

    road_factor: Decimal = Decimal("1.3")
    """Road distance / great-circle distance, for the default haversine distance provider."""

    osrm_url: str | None = None
    """An OSRM server (``http://host:5000``) for road distances and times; haversine if unset."""

    outbox_relay_seconds: float = 1.0
    """How often ``otwb serve`` retries events whose delivery failed."""

    log_level: str = "WARNING"
    """Python logging level of the ``otwb`` command (``INFO`` shows the bus and the router)."""


def load_settings() -> Settings:
    return Settings()
