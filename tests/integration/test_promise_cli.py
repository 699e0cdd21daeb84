"""`otwb promise ...` on a real SQLite file: the same service functions as the API."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from otwb.cli import app

runner = CliRunner()


def otwb(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_profiles_holidays_quotes_slots_checkout_and_tracking(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    otwb("db", "upgrade", "--db", db)
    otwb("tenant", "create", "Acme Foods", "--db", db)
    t = ("--tenant", "Acme Foods", "--db", db)
    warehouse_id = otwb("wh", "add-warehouse", "DC1", "Lyon DC", "45.72", "4.95", *t).split()[1]
    location_id = otwb("wh", "add-locations", warehouse_id, "A-01", *t).split()[1]
    otwb("wh", "add-sku", "TEA", "--weight", "1.5", "--volume", "0.004", *t)
    otwb("wh", "receive", location_id, "TEA", "10", *t)
    customer = otwb("order", "add-customer", "C001", "Bistro", *t).split()[1]

    assert "cut-off 14:00" in otwb("promise", "profile", "DC1", "--cutoff", "14:00", *t)
    [profile] = json.loads(otwb("promise", "profiles", "--json", *t))
    assert (profile["warehouse_code"], profile["time_zone"]) == ("DC1", "Europe/Paris")
    assert "invalid_input" in otwb("promise", "profile", "DC1", "--tz", "Nowhere/City", *t, code=2)

    holidays = tmp_path / "holidays.csv"
    holidays.write_text(
        "scope,code,day,name\n"
        "country,fr,2030-01-01,Jour de l'an\n"
        "warehouse,DC1,2030-01-02,Inventaire\n"
    )
    assert "2 holiday(s) added" in otwb("promise", "holidays", "load", str(holidays), *t)
    listed = json.loads(otwb("promise", "holidays", "list", "--since", "2030-01-01", "--json", *t))
    assert [(h["code"], h["day"]) for h in listed] == [("FR", "2030-01-01"), ("DC1", "2030-01-02")]
    bad = tmp_path / "bad.csv"
    bad.write_text("scope,code,day,name\nplanet,FR,2030-01-01,X\n")
    assert "row 2" in otwb("promise", "holidays", "load", str(bad), *t, code=2)

    # Monday 31 December 2029, 13:00 in Paris: before the 14:00 cut-off, but the next two days
    # are closed (New Year, the inventory) -> next-day lands on Thursday 3 January.
    quotes = json.loads(
        otwb(
            "promise", "quote", "--lat", "45.76", "--lon", "4.83", "--level", "next_day",
            "--at", "2029-12-31T13:00:00+01:00", "--json", *t,
        )
    )  # fmt: skip
    assert [(q["service_level"], q["delivery_day"]) for q in quotes] == [("next_day", "2030-01-03")]
    table = otwb("promise", "quote", "--lat", "45.76", "--lon", "4.83", *t)
    assert "211" in table
    assert "standard" in table

    opened = otwb(
        "promise", "slots", "open", "DC1", "--from", "2030-01-07", "--to", "2030-01-08",
        "--span", "08:00-10:00", "--span", "14:00-16:00", "--capacity", "3", *t,
    )  # fmt: skip
    assert "4 slot(s) opened" in opened
    slots = json.loads(
        otwb(
            "promise", "slots", "list", "--since", "2030-01-07T00:00:00", "--until",
            "2030-01-08T00:00:00", "--json", *t,
        )
    )  # fmt: skip
    assert [(s["starts_at"], s["free"]) for s in slots] == [
        ("2030-01-07T07:00:00Z", 3),
        ("2030-01-07T13:00:00Z", 3),
    ]
    otwb(
        "promise", "pickup", "add", "ST-1", "Boutique Bellecour", "--street", "3 place Bellecour",
        "--city", "Lyon", "--postcode", "69002", "--lat", "45.7578", "--lon", "4.832", *t,
    )  # fmt: skip
    assert "ST-1" in otwb("promise", "pickup", "list", *t)

    body = tmp_path / "checkout.json"
    body.write_text(
        json.dumps(
            {
                "order": {
                    "customer_id": customer,
                    "ship_to": {
                        "name": "Bistro",
                        "street": "1 rue X",
                        "city": "Lyon",
                        "postcode": "69002",
                        "country": "FR",
                        "lat": 45.76,
                        "lon": 4.83,
                    },
                    "lines": [{"sku": "TEA", "quantity": 2}],
                },
                "promise_level": "standard",
                "delivery": {"slot_id": slots[0]["id"], "installation": True},
            }
        )
    )
    placed = otwb("promise", "checkout", str(body), *t)
    order_id = placed.split()[1].rstrip(":")
    assert "promised by 2030-01-07T09:00:00+00:00" in placed
    token = placed.split("tracking token ")[1].split()[0]
    assert "pending" in otwb("promise", "show", order_id, *t)
    page = json.loads(otwb("promise", "track", order_id, token, "--json", *t))
    assert page["status"] == "preparing"
    assert page["installation"] is True
    assert "not_found" in otwb("promise", "track", order_id, "75001", *t, code=2)
    assert json.loads(otwb("promise", "on-time", "--json", *t)) == []
    otwb("promise", "pickup", "close", "ST-1", *t)
    assert "ST-1" not in otwb("promise", "pickup", "list", *t)
