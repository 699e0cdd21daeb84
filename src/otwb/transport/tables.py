"""T's tables. Every row carries its tenant; the database guards statuses, measures and the
rules that must hold under concurrency: one shipment per order, one open route per vehicle and
date, one stop per shipment and route."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from otwb.platform.sqltypes import Amount, UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column
from otwb.platform.values import TemperatureClass
from otwb.transport.fleet_model import Fuel
from otwb.transport.model import (
    RouteStatus,
    ShipmentKind,
    ShipmentStatus,
    StopStatus,
)

depots = Table(
    "depots",
    metadata,
    id_column(),  # the warehouse's id
    tenant_column(),
    Column("name", String(200), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="coordinates"),
)

vehicle_types = Table(
    "vehicle_types",
    metadata,
    id_column(),
    tenant_column(),
    Column("code", String(32), nullable=False),
    Column("label", String(100), nullable=False),
    Column("capacity_kg", Float, nullable=False),
    Column("capacity_m3", Float, nullable=False),
    Column("capacity_pallets", Integer),
    Column("refrigerated", Boolean, nullable=False),
    Column("fuel", String(16), nullable=False),
    Column("range_km", Float),
    Column("co2_kg_per_km", Amount()),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("tenant_id", "code"),
    CheckConstraint("capacity_kg > 0 AND capacity_m3 > 0", name="capacity_positive"),
    CheckConstraint("capacity_pallets IS NULL OR capacity_pallets > 0", name="pallets"),
    CheckConstraint(one_of("fuel", Fuel), name="fuel"),
    CheckConstraint("fuel <> 'electric' OR range_km > 0", name="ev_range"),
)

drivers = Table(
    "drivers",
    metadata,
    id_column(),
    tenant_column(),
    Column("code", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("depot_id", String(ID), ForeignKey("depots.id"), nullable=False),
    Column("shift_start_s", Integer, nullable=False),
    Column("shift_end_s", Integer, nullable=False),
    Column("break_after_s", Integer, nullable=False),
    Column("break_s", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("tenant_id", "code"),
    CheckConstraint("shift_start_s >= 0 AND shift_end_s <= 86400", name="shift_in_day"),
    CheckConstraint("shift_end_s > shift_start_s", name="shift_order"),
    CheckConstraint("break_after_s > 0 AND break_s >= 0", name="break_rule"),
)

vehicles = Table(
    "vehicles",
    metadata,
    id_column(),
    tenant_column(),
    Column("code", String(32), nullable=False),
    Column("depot_id", String(ID), ForeignKey("depots.id"), nullable=False),
    Column("label", String(100), nullable=False),
    Column("capacity_kg", Float, nullable=False),
    Column("capacity_m3", Float, nullable=False),
    Column("refrigerated", Boolean, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("cost_per_km", Amount(), nullable=False),
    Column("cost_per_hour", Amount(), nullable=False),
    Column("fixed_cost", Amount(), nullable=False),
    Column("speed_kmh", Float, nullable=False),
    Column("shift_start_s", Integer, nullable=False),
    Column("shift_end_s", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("vehicle_type_id", String(ID), ForeignKey("vehicle_types.id")),
    Column("capacity_pallets", Integer),
    Column("fuel", String(16), nullable=False, server_default="diesel"),
    Column("range_km", Float),
    Column("co2_kg_per_km", Amount()),
    Column("driver_id", String(ID), ForeignKey("drivers.id")),
    UniqueConstraint("tenant_id", "code"),
    CheckConstraint("capacity_kg > 0 AND capacity_m3 > 0", name="capacity_positive"),
    CheckConstraint("capacity_pallets IS NULL OR capacity_pallets > 0", name="pallets"),
    CheckConstraint(one_of("fuel", Fuel), name="fuel"),
    CheckConstraint("speed_kmh > 0", name="speed_positive"),
    CheckConstraint("shift_start_s >= 0 AND shift_end_s <= 86400", name="shift_in_day"),
    CheckConstraint("shift_end_s > shift_start_s", name="shift_order"),
)

shipments = Table(
    "shipments",
    metadata,
    id_column(),
    tenant_column(),
    Column("order_id", String(ID)),
    Column("customer_id", String(ID), nullable=False),
    Column("depot_id", String(ID), ForeignKey("depots.id"), nullable=False),
    Column("tracking_number", String(24), nullable=False, unique=True),
    Column("ship_to_name", String(200), nullable=False),
    Column("ship_to_address", String(400), nullable=False),
    Column("ship_to_lat", Float, nullable=False),
    Column("ship_to_lon", Float, nullable=False),
    Column("window_start", UtcDateTime()),
    Column("window_end", UtcDateTime()),
    Column("weight_kg", Float, nullable=False),
    Column("volume_m3", Float, nullable=False),
    Column("parcel_count", Integer, nullable=False),
    Column("temperature_class", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("route_id", String(ID)),
    Column("attempts", Integer, nullable=False),
    Column("delivered_at", UtcDateTime()),
    Column("recipient", String(200)),
    Column("failure_reason", String(500)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("kind", String(16), nullable=False, server_default="delivery"),
    Column("pallets", Integer, nullable=False, server_default="0"),
    Column("promised_by", UtcDateTime()),
    Column("carrier_id", String(ID), ForeignKey("carriers.id")),
    Column("service_level", String(32)),
    Column("carrier_reference", String(100)),
    Column("expected_cost", Amount()),
    Column("currency", String(3)),
    Column("tendered_at", UtcDateTime()),
    Column("signature_name", String(200)),
    Column("photo_ref", String(500)),
    Column("co2_kg", Amount()),
    Column("extra_service_s", Integer, nullable=False, server_default="0"),
    # One shipment per order and depot: a split order ships one part from each warehouse.
    UniqueConstraint("tenant_id", "order_id", "depot_id"),
    CheckConstraint(one_of("status", ShipmentStatus), name="status"),
    CheckConstraint(
        one_of("temperature_class", TemperatureClass),
        name="temperature_class",
    ),
    CheckConstraint(
        "weight_kg > 0 AND volume_m3 > 0 AND parcel_count > 0", name="measures_positive"
    ),
    CheckConstraint("attempts >= 0", name="attempts"),
    CheckConstraint("extra_service_s >= 0", name="extra_service"),
    CheckConstraint(
        "ship_to_lat BETWEEN -90 AND 90 AND ship_to_lon BETWEEN -180 AND 180", name="coordinates"
    ),
    CheckConstraint("window_end IS NULL OR window_end > window_start", name="window"),
    CheckConstraint(one_of("kind", ShipmentKind), name="kind"),
    CheckConstraint("(kind = 'delivery') = (order_id IS NOT NULL)", name="order_of_delivery"),
    CheckConstraint("pallets >= 0", name="pallets"),
    CheckConstraint(
        "status NOT IN ('planned', 'in_transit', 'delivered') OR route_id IS NOT NULL "
        "OR carrier_id IS NOT NULL",
        name="on_a_route",
    ),
    CheckConstraint(
        "status <> 'tendered' OR (carrier_id IS NOT NULL AND expected_cost IS NOT NULL)",
        name="tendered_to_carrier",
    ),
    CheckConstraint(
        "status <> 'delivered' OR (delivered_at IS NOT NULL AND recipient IS NOT NULL)",
        name="proof_of_delivery",
    ),
)
Index("ix_shipments_depot_status", shipments.c.tenant_id, shipments.c.depot_id, shipments.c.status)

routes = Table(
    "routes",
    metadata,
    id_column(),
    tenant_column(),
    Column("depot_id", String(ID), ForeignKey("depots.id"), nullable=False),
    Column("vehicle_id", String(ID), ForeignKey("vehicles.id"), nullable=False),
    Column("service_date", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("distance_m", Integer, nullable=False),
    Column("duration_s", Integer, nullable=False),
    Column("planned_start", UtcDateTime(), nullable=False),
    Column("planned_end", UtcDateTime(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("planned_cost", Amount(), nullable=False),
    Column("dispatched_at", UtcDateTime()),
    Column("completed_at", UtcDateTime()),
    Column("actual_duration_s", Integer),
    Column("actual_cost", Amount()),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("driver_id", String(ID), ForeignKey("drivers.id")),
    Column("co2_kg", Amount(), nullable=False, server_default="0"),
    Column("break_s", Integer, nullable=False, server_default="0"),
    CheckConstraint(one_of("status", RouteStatus), name="status"),
    CheckConstraint("distance_m >= 0 AND duration_s >= 0", name="measures"),
    CheckConstraint("planned_end >= planned_start", name="planned_times"),
    CheckConstraint(
        "status <> 'completed' OR (actual_cost IS NOT NULL AND actual_duration_s >= 0)",
        name="completed_has_actuals",
    ),
)
Index("ix_routes_tenant_date", routes.c.tenant_id, routes.c.service_date)
# A vehicle drives at most one open (planned or dispatched) route per date.
_OPEN = text("status IN ('planned', 'dispatched')")
Index(
    "uq_routes_vehicle_date_open",
    routes.c.vehicle_id,
    routes.c.service_date,
    unique=True,
    sqlite_where=_OPEN,
    postgresql_where=_OPEN,
)

route_stops = Table(
    "route_stops",
    metadata,
    Column("route_id", String(ID), ForeignKey("routes.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    tenant_column(),
    Column("shipment_id", String(ID), ForeignKey("shipments.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("planned_arrival", UtcDateTime(), nullable=False),
    Column("eta", UtcDateTime(), nullable=False),
    Column("return_s", Integer, nullable=False),
    Column("resolved_at", UtcDateTime()),
    Column("leg_m", Integer, nullable=False, server_default="0"),
    Column("arrived_at", UtcDateTime()),
    Column("co2_kg", Amount(), nullable=False, server_default="0"),
    UniqueConstraint("route_id", "shipment_id"),
    CheckConstraint(one_of("status", StopStatus), name="status"),
    CheckConstraint("seq >= 1 AND return_s >= 0 AND leg_m >= 0", name="measures"),
)
Index("ix_route_stops_shipment", route_stops.c.shipment_id)

vehicle_positions = Table(
    "vehicle_positions",
    metadata,
    id_column(),
    tenant_column(),
    Column("vehicle_id", String(ID), ForeignKey("vehicles.id"), nullable=False),
    Column("route_id", String(ID), ForeignKey("routes.id")),
    Column("at", UtcDateTime(), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="coordinates"),
)
Index("ix_vehicle_positions_vehicle_at", vehicle_positions.c.vehicle_id, vehicle_positions.c.at)

traffic_incidents = Table(
    "traffic_incidents",
    metadata,
    id_column(),
    tenant_column(),
    Column("kind", String(16), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("to_lat", Float),
    Column("to_lon", Float),
    Column("radius_m", Float, nullable=False),
    Column("factor", Float),
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("ends_at", UtcDateTime(), nullable=False),
    Column("note", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint(one_of("kind", ("area", "segment")), name="kind"),
    CheckConstraint(
        "kind <> 'segment' OR (to_lat IS NOT NULL AND to_lon IS NOT NULL)", name="ends"
    ),
    CheckConstraint("factor IS NULL OR factor >= 1", name="factor"),
    CheckConstraint("radius_m > 0 AND ends_at > starts_at", name="extent"),
)
Index("ix_traffic_incidents_time", traffic_incidents.c.tenant_id, traffic_incidents.c.ends_at)

carriers = Table(
    "carriers",
    metadata,
    id_column(),
    tenant_column(),
    Column("code", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("connector", String(32), nullable=False),
    Column("endpoint", String(500)),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("tenant_id", "code"),
)

rate_cards = Table(
    "rate_cards",
    metadata,
    id_column(),
    tenant_column(),
    Column("carrier_id", String(ID), ForeignKey("carriers.id"), nullable=False),
    Column("service_level", String(32), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    # The card itself (zones, weight breaks, surcharges, minimum, transit times) as JSON,
    # validated by ``rating.RateCard`` on the way in and out.
    Column("card", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("carrier_id", "service_level", "valid_from"),
)
