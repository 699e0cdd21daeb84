"""O's typed errors: each has its HTTP status and machine ``code`` (rendered as problem+json)."""

from __future__ import annotations

from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition


class InvalidAddress(InvalidInput):
    code = "invalid_address"
    title = "Invalid ship-to address"


class AddressNotGeocoded(InvalidAddress):
    """No coordinates were given and the postcode is not in the tenant's postcode table."""

    code = "address_not_geocoded"
    title = "The address could not be geocoded"


class DuplicateOrder(Conflict):
    """An order with this channel and channel order reference exists (``existing_order_id``)."""

    code = "duplicate_order"
    title = "Duplicate order"


class TooLateToAmend(InvalidTransition):
    code = "too_late_to_amend"
    title = "The order can no longer be amended"


class CreditHold(Conflict):
    """The customer is on credit hold: its orders cannot be released to the warehouse."""

    code = "credit_hold"
    title = "The customer is on credit hold"


class InvalidWebhook(InvalidInput):
    code = "invalid_webhook"
    title = "Invalid webhook subscription"
