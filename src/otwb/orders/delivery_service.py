"""O's use cases for delivery options' resources: home-delivery time slots (opened per working
day of a warehouse, with a capacity) and pickup points (stores and front warehouses)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from otwb.orders import delivery_repo, promise_repo
from otwb.orders.calendar import WorkingCalendar
from otwb.orders.delivery_options import DeliverySlot, PickupKind, PickupPoint
from otwb.orders.promise_service import NoPromiseProfile
from otwb.platform.errors import Conflict, InvalidInput, NotFound
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import DeliveryWindow
from otwb.warehouse import service as warehouse

MAX_SLOT_DAYS = 92


@dataclass(frozen=True)
class SlotPlan:
    """Slots to open: the same local spans on every working day of [first_day, last_day]."""

    warehouse_id: WarehouseId
    first_day: date
    last_day: date
    spans: Sequence[tuple[time, time]]
    capacity: int

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise InvalidInput("the last day must not be before the first", field="last_day")
        if (self.last_day - self.first_day).days >= MAX_SLOT_DAYS:
            raise InvalidInput(f"open slots for at most {MAX_SLOT_DAYS} days at a time")
        if not self.spans:
            raise InvalidInput("give at least one slot span, e.g. 08:00-10:00", field="spans")
        for start, end in self.spans:
            if end <= start:
                raise InvalidInput(f"slot {start:%H:%M}-{end:%H:%M} must end after it starts")
        if self.capacity <= 0:
            raise InvalidInput("a slot's capacity must be positive", field="capacity")


def open_slots(uow: UnitOfWork, plan: SlotPlan) -> list[DeliverySlot]:
    """Open home-delivery slots on the warehouse's working days, in its time zone. Slots that
    already exist (same start) are left as they are; the new ones are returned."""
    with uow:
        site = warehouse.get_warehouse(uow, plan.warehouse_id)
        profile = promise_repo.profiles(uow).get(site.id)
        if profile is None:
            raise NoPromiseProfile(f"warehouse {site.code} has no promise profile (time zone)")
        calendar = WorkingCalendar.of(
            profile.working_days, promise_repo.closed_days(uow, profile.country, site.code)
        )
        tz = profile.zone_info
        taken = delivery_repo.slot_starts(uow, site.id)
        new: list[DeliverySlot] = []
        day = plan.first_day
        while day <= plan.last_day:
            if calendar.is_working(day):
                for start, end in plan.spans:
                    window = DeliveryWindow(
                        datetime.combine(day, start, tzinfo=tz).astimezone(UTC),
                        datetime.combine(day, end, tzinfo=tz).astimezone(UTC),
                    )
                    if window.start not in taken:
                        new.append(
                            DeliverySlot(uow.ids.new("dsl"), site.id, window, plan.capacity, 0)
                        )
            day += timedelta(days=1)
        if new:
            delivery_repo.insert_slots(uow, new)
            uow.commit()
    return new


def list_slots(
    uow: UnitOfWork,
    since: datetime,
    until: datetime,
    warehouse_id: WarehouseId | None = None,
    free_only: bool = False,
) -> list[DeliverySlot]:
    if until <= since:
        raise InvalidInput("the period must end after it starts", field="until")
    with uow:
        slots = delivery_repo.list_slots(uow, warehouse_id, since, until)
    return [s for s in slots if s.free > 0] if free_only else slots


def get_slot(uow: UnitOfWork, slot_id: str) -> DeliverySlot:
    with uow:
        slot = delivery_repo.find_slot(uow, slot_id)
    if slot is None:
        raise NotFound(f"no delivery slot {slot_id}")
    return slot


@dataclass(frozen=True)
class NewPickupPoint:
    code: str
    name: str
    kind: PickupKind
    street: str
    city: str
    postcode: str
    country: str
    point: GeoPoint


def add_pickup_point(uow: UnitOfWork, new: NewPickupPoint) -> PickupPoint:
    point = PickupPoint(
        uow.ids.new("pup"),
        new.code.strip(),
        new.name.strip(),
        new.kind,
        new.street.strip(),
        new.city.strip(),
        new.postcode.strip(),
        new.country.upper(),
        new.point,
    )
    with uow:
        if delivery_repo.find_point(uow, code=point.code) is not None:
            raise Conflict(f"pickup point code {point.code!r} is already used")
        delivery_repo.save_point(uow, point)
        uow.commit()
    return point


def set_pickup_point_active(uow: UnitOfWork, code: str, active: bool) -> PickupPoint:
    """Open or close a pickup point to new orders (orders already there keep it)."""
    with uow:
        if not delivery_repo.set_point_active(uow, code, active):
            raise NotFound(f"no pickup point {code!r}")
        point = delivery_repo.find_point(uow, code=code)
        uow.commit()
    assert point is not None
    return point


def list_pickup_points(uow: UnitOfWork, active_only: bool = True) -> list[PickupPoint]:
    with uow:
        return delivery_repo.list_points(uow, active_only)
