"""Reading and writing B's records (SQLAlchemy Core), always within the caller's tenant.

Tariffs are read and written in ``tariff_repo.py``, charge lines in ``charge_repo.py``, invoices
in ``invoice_repo.py`` (billable sums in ``billable_repo.py``, exchange rates in
``currency_repo.py``); the tariff and charge functions are also importable from here
(``repo.list_tariffs``, ``repo.list_charges``...).
"""

from __future__ import annotations

from otwb.billing.charge_repo import (
    charges_between,
    insert_charges,
    list_charges,
    rate_charge,
)
from otwb.billing.tariff_repo import insert_tariff, list_tariffs

__all__ = [
    "charges_between",
    "insert_charges",
    "insert_tariff",
    "list_charges",
    "list_tariffs",
    "rate_charge",
]
