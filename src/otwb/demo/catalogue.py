"""The demo's product range: a few hundred SKUs of a food and pharmacy distributor."""

from __future__ import annotations

import random
from dataclasses import dataclass

from otwb.platform.values import TemperatureClass

# family, temperature, share of the range, (kg min, kg max) per case, kg per m³ (density)
FAMILIES: list[tuple[str, TemperatureClass, float, tuple[float, float], float]] = [
    ("Dry grocery", TemperatureClass.AMBIENT, 0.34, (0.5, 9.0), 450.0),
    ("Beverages", TemperatureClass.AMBIENT, 0.16, (4.0, 12.0), 700.0),
    ("Household", TemperatureClass.AMBIENT, 0.12, (0.8, 7.0), 250.0),
    ("OTC pharmacy", TemperatureClass.AMBIENT, 0.12, (0.2, 2.5), 200.0),
    ("Dairy", TemperatureClass.CHILLED, 0.10, (1.0, 6.0), 600.0),
    ("Vaccines and insulin", TemperatureClass.CHILLED, 0.04, (0.3, 1.5), 150.0),
    ("Frozen", TemperatureClass.FROZEN, 0.04, (1.0, 8.0), 500.0),
    ("Fresh meat", TemperatureClass.CHILLED, 0.08, (1.0, 5.0), 800.0),
]
SHELF_LIFE_DAYS = {"Dairy": 21, "Fresh meat": 9, "Vaccines and insulin": 365, "Frozen": 180}
"""Families whose goods expire: they come in lots with a date and leave first-expired-first."""


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    weight_kg: float
    volume_m3: float
    temperature: TemperatureClass
    popularity: float  # share of order lines, sums to 1 over the range
    shelf_life_days: int | None = None


def products(count: int, rng: random.Random) -> list[Product]:
    """``count`` SKUs across the families, with a Zipf-like popularity (a few fast movers)."""
    chosen: list[Product] = []
    ranks = list(range(1, count + 1))
    rng.shuffle(ranks)
    weights = [1 / r**1.05 for r in ranks]
    total = sum(weights)
    for i in range(count):
        family, temperature, _, (lo, hi), density = rng.choices(
            FAMILIES, weights=[f[2] for f in FAMILIES]
        )[0]
        weight = round(rng.uniform(lo, hi), 2)
        chosen.append(
            Product(
                code=f"SKU-{i + 1:04d}",
                name=f"{family} #{i + 1}",
                weight_kg=weight,
                volume_m3=round(weight / density, 5),
                temperature=temperature,
                popularity=weights[i] / total,
                shelf_life_days=SHELF_LIFE_DAYS.get(family),
            )
        )
    return chosen
