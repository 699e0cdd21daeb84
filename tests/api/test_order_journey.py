"""End to end over HTTP: one order from placement to invoice, each step reacting to the last
one's event -- O places, W allocates, picks, packs and hands over, T plans with PyVRP, dispatches
and delivers, B charges as it happens and invoices. Amounts are checked to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from otwb.platform.geo import GeoPoint, road_km

DEPOT = GeoPoint(45.7200, 4.9500)
SHIP_TO = GeoPoint(45.7578, 4.8320)
DAY = "2026-11-25"  # the test clock's day


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_one_order_from_placement_to_invoice(client, keys):
    admin, op, ro = keys.admin, keys.operator, keys.read_only

    def ok(response, status=200):
        assert response.status_code == status, response.text
        return response.json()

    wh = ok(
        client.post(
            "/api/v1/warehouses",
            headers=admin,
            json={
                "code": "DC1",
                "name": "Lyon East DC",
                "kind": "central",
                "lat": DEPOT.lat,
                "lon": DEPOT.lon,
            },
        ),
        201,
    )
    [bin_a, bin_b] = ok(
        client.post(
            f"/api/v1/warehouses/{wh['id']}/locations",
            headers=admin,
            json={"codes": ["A-01-1", "A-01-2"]},
        ),
        201,
    )
    for code, kg in (("COFFEE-1KG", 6.0), ("TEA-250G", 1.5)):
        ok(
            client.post(
                "/api/v1/skus",
                headers=admin,
                json={"code": code, "name": code, "weight_kg": kg, "volume_m3": 0.01},
            ),
            201,
        )
    ok(
        client.post(
            "/api/v1/stock/receipts",
            headers=op,
            json={"location_id": bin_a["id"], "sku": "COFFEE-1KG", "quantity": 20},
        ),
        201,
    )
    ok(
        client.post(
            "/api/v1/stock/receipts",
            headers=op,
            json={"location_id": bin_b["id"], "sku": "TEA-250G", "quantity": 20},
        ),
        201,
    )
    customer = ok(
        client.post(
            "/api/v1/customers", headers=op, json={"code": "C042", "name": "Café des Halles"}
        ),
        201,
    )
    ok(
        client.put(
            "/api/v1/tariffs",
            headers=admin,
            json={
                "customer_id": customer["id"],
                "valid_from": "2026-11-01",
                "currency": "EUR",
                "handling_per_line": "0.85",
                "transport_per_kg_km": "0.012",
                "transport_per_drop": "6.50",
                "storage_per_unit_day": "0.04",
                "tax_rate": "0.20",
            },
        ),
        201,
    )
    ok(
        client.post(
            "/api/v1/vehicles",
            headers=admin,
            json={
                "code": "VAN-1",
                "depot_id": wh["id"],
                "capacity_kg": 1000,
                "capacity_m3": 12,
                "cost_per_km": "0.60",
                "cost_per_hour": "30.00",
                "fixed_cost": "50.00",
                "speed_kmh": 30,
                "shift_start": "07:00",
                "shift_end": "19:00",
            },
        ),
        201,
    )

    # O: the order is placed; W allocates it as soon as it hears of it.
    order = ok(
        client.post(
            "/api/v1/orders",
            headers=op,
            json={
                "customer_id": customer["id"],
                "reference": "PO-778",
                "ship_to": {
                    "name": "Café des Halles",
                    "street": "102 cours Lafayette",
                    "city": "Lyon",
                    "postcode": "69003",
                    "country": "FR",
                    "lat": SHIP_TO.lat,
                    "lon": SHIP_TO.lon,
                },
                "lines": [{"sku": "COFFEE-1KG", "quantity": 3}, {"sku": "TEA-250G", "quantity": 4}],
            },
        ),
        201,
    )
    assert order["status"] == "allocated"

    # W: pick, pack, hand over; T opens a shipment from the hand-over.
    for step in ("pick", "pack", "hand-over"):
        ok(client.post(f"/api/v1/fulfilments/{order['id']}/{step}", headers=op))
    [shipment] = ok(client.get("/api/v1/shipments?status=ready", headers=ro))
    assert shipment["order_id"] == order["id"]
    assert shipment["weight_kg"] == 24.0  # 3 x 6 kg + 4 x 1.5 kg

    # T: plan with PyVRP, dispatch, deliver with proof.
    plan = ok(
        client.post(
            "/api/v1/routes/plan",
            headers=op,
            json={"depot_id": wh["id"], "service_date": DAY, "time_limit_seconds": 1},
        ),
        201,
    )
    assert plan["unplanned"] == []
    [route] = plan["routes"]
    ok(client.post(f"/api/v1/routes/{route['id']}/dispatch", headers=op))
    assert ok(client.get(f"/api/v1/orders/{order['id']}", headers=ro))["status"] == "shipped"
    tracked = ok(client.get(f"/api/v1/tracking/{shipment['tracking_number']}", headers=ro))
    assert tracked
    ok(
        client.post(
            f"/api/v1/shipments/{shipment['id']}/delivery",
            headers=op,
            json={"recipient": "Mme Lefèvre"},
        )
    )

    final = ok(client.get(f"/api/v1/orders/{order['id']}", headers=ro))
    assert final["status"] == "delivered"
    assert [t["kind"] for t in final["timeline"]] == [
        "placed",
        "allocated",
        "picked",
        "packed",
        "handed_over",
        "shipped",
        "delivered",
    ]

    # B: charges accrued as it happened; the period's invoice, to the cent.
    run = ok(
        client.post(
            "/api/v1/invoices/runs",
            headers=admin,
            json={"period_start": DAY, "period_end": "2026-11-26", "issue": True},
        )
    )
    [invoice] = run["invoices"]
    km = Decimal(str(road_km(DEPOT, SHIP_TO, 1.3))).quantize(Decimal("0.001"), ROUND_HALF_UP)
    handling = cents(2 * Decimal("0.85"))
    kg_km = cents(Decimal(24) * km * Decimal("0.012"))
    drop = Decimal("6.50")
    lines = {line["basis"]: Decimal(line["amount"]) for line in invoice["lines"]}
    assert lines == {"line": handling, "kg_km": kg_km, "drop": drop}
    subtotal = handling + kg_km + drop
    assert Decimal(invoice["subtotal"]) == subtotal
    tax = sum((cents(amount * Decimal("0.20")) for amount in lines.values()), Decimal(0))
    assert Decimal(invoice["tax"]) == tax  # rounded at each line
    assert Decimal(invoice["total"]) == subtotal + tax
    assert invoice["number"].startswith("INV-2026-")
    charges = ok(client.get(f"/api/v1/invoices/{invoice['id']}/charges", headers=ro))
    assert sum(Decimal(c["amount"]) for c in charges) == subtotal
    # A second run finds nothing new to bill.
    assert (
        ok(
            client.post(
                "/api/v1/invoices/runs",
                headers=admin,
                json={"period_start": DAY, "period_end": "2026-11-26"},
            )
        )["invoices"]
        == []
    )
