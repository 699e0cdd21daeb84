"""Request and response bodies of B's tariff, charge and re-rating routes (money as decimal
strings, never floats)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from otwb.billing import service as billing
from otwb.billing.charges import Basis, Charge, ChargeKind, ChargeStatus, SourceType
from otwb.billing.rerating_repo import Price, RatingChange, RerateRun
from otwb.billing.tariff import MinimumScope, Rule, Tariff
from otwb.platform.ids import CustomerId

Rate = Annotated[Decimal, Field(ge=0, description="Decimal string (or number), >= 0")]
FLAT = ("handling_per_line", "transport_per_kg_km", "transport_per_drop", "storage_per_unit_day")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RuleIn(Strict):
    basis: Basis
    price: Rate | None = None
    percent: Rate | None = None
    temperature_class: str | None = Field(default=None, max_length=16)
    service: str | None = Field(default=None, max_length=32)
    zone: str | None = Field(default=None, max_length=32)
    max_km: Rate | None = None
    max_kg: Rate | None = None
    scope: MinimumScope | None = None
    applies_to: Basis | None = None
    min_quantity: Rate | None = None

    def new(self) -> billing.NewRule:
        return billing.NewRule(**self.model_dump())


class RuleOut(BaseModel):
    id: str
    basis: Basis
    kind: ChargeKind
    price: Decimal | None
    percent: Decimal | None
    temperature_class: str | None
    service: str | None
    zone: str | None
    max_km: Decimal | None
    max_kg: Decimal | None
    scope: MinimumScope | None
    applies_to: Basis | None
    min_quantity: Decimal | None

    @classmethod
    def of(cls, r: Rule) -> RuleOut:
        return cls(
            id=r.id,
            basis=r.basis,
            kind=r.kind,
            price=r.price,
            percent=r.percent,
            temperature_class=r.temperature_class,
            service=r.service,
            zone=r.zone,
            max_km=r.max_km,
            max_kg=r.max_kg,
            scope=r.scope,
            applies_to=r.applies_to,
            min_quantity=r.min_quantity,
        )


class TariffIn(Strict):
    """A version with ``rules``, or a flat rate card (the four flat prices, no ``rules``)."""

    customer_id: str | None = Field(
        default=None, min_length=1, max_length=40, description="None: the tenant's default"
    )
    valid_from: date
    valid_to: date | None = Field(default=None, description="Last day it applies (inclusive)")
    currency: str = Field(pattern="^[A-Za-z]{3}$", description="The tenant's currency")
    tax_rate: Annotated[Decimal, Field(ge=0, le=1, description="0.20 for 20 %")]
    rules: list[RuleIn] | None = Field(default=None, min_length=1, max_length=500)
    handling_per_line: Rate | None = None
    transport_per_kg_km: Rate | None = None
    transport_per_drop: Rate | None = None
    storage_per_unit_day: Rate | None = None

    @model_validator(mode="after")
    def rules_or_flat(self) -> Self:
        flat = [getattr(self, name) is not None for name in FLAT]
        if self.rules is None and not all(flat):
            raise ValueError("give rules, or all four flat prices: " + ", ".join(FLAT))
        if self.rules is not None and any(flat):
            raise ValueError("give rules or the flat prices, not both")
        return self

    def new(self) -> billing.NewTariff | billing.FlatTariff:
        customer = CustomerId(self.customer_id) if self.customer_id else None
        if self.rules is not None:
            return billing.NewTariff(
                customer_id=customer,
                valid_from=self.valid_from,
                valid_to=self.valid_to,
                currency=self.currency,
                tax_rate=self.tax_rate,
                rules=[r.new() for r in self.rules],
            )
        assert self.handling_per_line is not None
        assert self.transport_per_kg_km is not None
        assert self.transport_per_drop is not None
        assert self.storage_per_unit_day is not None
        return billing.FlatTariff(
            customer_id=customer,
            valid_from=self.valid_from,
            currency=self.currency,
            handling_per_line=self.handling_per_line,
            transport_per_kg_km=self.transport_per_kg_km,
            transport_per_drop=self.transport_per_drop,
            storage_per_unit_day=self.storage_per_unit_day,
            tax_rate=self.tax_rate,
            valid_to=self.valid_to,
        )


class TariffOut(BaseModel):
    id: str
    customer_id: str | None
    valid_from: date
    valid_to: date | None
    currency: str
    tax_rate: Decimal
    rules: list[RuleOut]

    @classmethod
    def of(cls, t: Tariff) -> TariffOut:
        return cls(
            id=t.id,
            customer_id=t.customer_id,
            valid_from=t.valid_from,
            valid_to=t.valid_to,
            currency=t.currency,
            tax_rate=t.tax_rate,
            rules=[RuleOut.of(r) for r in t.rules],
        )


class ChargeOut(BaseModel):
    id: str
    customer_id: str
    kind: ChargeKind
    basis: Basis
    source_type: SourceType
    source_id: str
    service: str
    quantity: Decimal
    status: ChargeStatus
    unit_price: Decimal | None
    amount: Decimal | None
    currency: str | None
    tariff_id: str | None
    rule_id: str | None
    occurred_at: datetime
    invoice_id: str | None

    @classmethod
    def of(cls, c: Charge) -> ChargeOut:
        r = c.rating
        return cls(
            id=c.id,
            customer_id=c.customer_id,
            kind=c.kind,
            basis=c.basis,
            source_type=c.source_type,
            source_id=c.source_id,
            service=c.service,
            quantity=c.quantity,
            status=c.status,
            unit_price=r.unit_price if r else None,
            amount=r.amount if r else None,
            currency=r.currency if r else None,
            tariff_id=r.tariff_id if r else None,
            rule_id=r.rule_id if r else None,
            occurred_at=c.occurred_at,
            invoice_id=c.invoice_id,
        )


class FuelIn(Strict):
    valid_from: date
    percent: Annotated[Decimal, Field(ge=0, le=1000, description="12.5 for 12.5 %")]


class FuelOut(BaseModel):
    valid_from: date
    percent: Decimal


class ServiceIn(Strict):
    service: str = Field(min_length=1, max_length=32, description="installation, labelling, cod")
    quantity: Rate = Decimal(1)
    amount_basis: Rate | None = Field(default=None, description="cod: the amount collected")


class ServicesIn(Strict):
    customer_id: str = Field(min_length=1, max_length=40)
    source_type: SourceType
    source_id: str = Field(min_length=1, max_length=64)
    services: list[ServiceIn] = Field(min_length=1, max_length=50)
    at: datetime | None = None


class AccrualOut(BaseModel):
    created: int = Field(description="Charges new with this call (0 when already charged)")
    charges: list[ChargeOut]


class RerateIn(Strict):
    period_start: date
    period_end: date = Field(description="Exclusive: [period_start, period_end)")
    customer_id: str | None = Field(default=None, min_length=1, max_length=40)
    reason: str = Field(default="tariff correction", min_length=1, max_length=200)


class PriceOut(BaseModel):
    unit_price: Decimal
    amount: Decimal
    rule_id: str | None

    @classmethod
    def of(cls, p: Price | None) -> PriceOut | None:
        return (
            None if p is None else cls(unit_price=p.unit_price, amount=p.amount, rule_id=p.rule_id)
        )


class ChangeOut(BaseModel):
    charge_id: str
    applied: bool = Field(description="False: the charge is invoiced -- it needs a credit note")
    currency: str | None
    old: PriceOut | None
    new: PriceOut | None
    changed_at: datetime

    @classmethod
    def of(cls, c: RatingChange) -> ChangeOut:
        return cls(
            charge_id=c.charge_id,
            applied=c.applied,
            currency=c.currency,
            old=PriceOut.of(c.old),
            new=PriceOut.of(c.new),
            changed_at=c.changed_at,
        )


class RerateRunOut(BaseModel):
    id: str
    period_start: date
    period_end: date
    customer_id: str | None
    reason: str
    actor: str
    ran_at: datetime
    examined: int
    changed: int
    credit_notes_needed: int
    changes: list[ChangeOut] | None = None

    @classmethod
    def of(cls, r: RerateRun, changes: list[RatingChange] | None = None) -> RerateRunOut:
        return cls(
            id=r.id,
            period_start=r.period_start,
            period_end=r.period_end,
            customer_id=r.customer_id,
            reason=r.reason,
            actor=r.actor,
            ran_at=r.ran_at,
            examined=r.examined,
            changed=r.changed,
            credit_notes_needed=r.credit_notes_needed,
            changes=None if changes is None else [ChangeOut.of(c) for c in changes],
        )
