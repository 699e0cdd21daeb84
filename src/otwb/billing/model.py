"""The billing domain's public names, in one place for the other modules and contexts.

The domain is split by responsibility (all pure, no I/O):

* ``numbers.py``: exact decimals and the rounding rule (half-up at the charge line);
* ``charges.py``: kinds, bases, sources, the ``Charge`` line and its ``Rating``;
* ``tariff.py``: versioned rate cards and their rules; which version applies on a day;
* ``rating.py``: activities (what W and T measured) and the compiled tariff that prices them;
* ``adjustments.py``: period volume-tier discounts and minimum charges;
* ``invoice.py``: invoices.
"""

from __future__ import annotations

from otwb.billing.charges import (
    DESCRIPTIONS,
    KIND_OF,
    TRANSPORT_BASES,
    Basis,
    Charge,
    ChargeKind,
    ChargeStatus,
    Rating,
    SourceType,
    UnsupportedCurrency,
    storage_source,
)
from otwb.billing.numbers import (
    QUANTITY_PLACES,
    RATE_PLACES,
    TAX_PLACES,
    charge_amount,
    measured,
    parse_decimal,
    plain,
    product,
    start_of,
)
from otwb.billing.tariff import MinimumScope, Rule, Tariff, applicable_tariff

__all__ = [
    "DESCRIPTIONS",
    "KIND_OF",
    "QUANTITY_PLACES",
    "RATE_PLACES",
    "TAX_PLACES",
    "TRANSPORT_BASES",
    "Basis",
    "Charge",
    "ChargeKind",
    "ChargeStatus",
    "MinimumScope",
    "Rating",
    "Rule",
    "SourceType",
    "Tariff",
    "UnsupportedCurrency",
    "applicable_tariff",
    "charge_amount",
    "measured",
    "parse_decimal",
    "plain",
    "product",
    "start_of",
    "storage_source",
]
