"""``otwb order sourcing ...``: an order's sourcing plan, policies, warehouses' sourcing costs
(the same service functions as the API). These commands join the ``otwb order`` group."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.table import Table

from otwb.orders import sourcing_service as service
from otwb.orders.api_sourcing import SourcingOut
from otwb.orders.sourcing import SourcingPolicy
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CustomerId, OrderId, WarehouseId
from otwb.platform.money import Money
from otwb.platform.terminal import (
    DbOption,
    JsonOption,
    TenantOption,
    console,
    domain_errors,
    print_json,
    runtime,
    tenant_uow,
)

commands = typer.Typer()


@commands.command("sourcing")
@domain_errors
def sourcing(
    order_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Which warehouse(s) serve the order, which lines each, why, at what cost."""
    uow = tenant_uow(runtime(db), tenant, read_only=True)
    plan = SourcingOut.of(order_id, service.get_sourcing(uow, OrderId(order_id)))
    if as_json:
        print_json(plan.model_dump(mode="json"))
        return
    console.print(f"[bold]{order_id}[/bold] {plan.outcome} ({plan.policy}): {plan.reason}")
    if not plan.parts:
        return
    table = Table("part", "warehouse", "stage", "km", "cost", "lines")
    for p in plan.parts:
        table.add_row(
            str(p.part_no),
            p.warehouse_id or "-",
            p.stage,
            f"{p.distance_km:.1f}" if p.distance_km is not None else "-",
            f"{p.cost} {p.currency}" if p.cost else "-",
            ", ".join(f"{x.sku} x{x.quantity}" for x in p.lines),
        )
    console.print(table)
    if plan.total_cost is not None:
        console.print(f"total cost {plan.total_cost}")


@commands.command("sourcing-policy")
@domain_errors
def sourcing_policy(
    policy: Annotated[SourcingPolicy, typer.Argument(help="ship_complete or allow_split")],
    tenant: TenantOption,
    customer: Annotated[str | None, typer.Option(help="Customer id")] = None,
    order: Annotated[str | None, typer.Option(help="Order id (over its customer's)")] = None,
    db: DbOption = None,
) -> None:
    """Set the sourcing policy of a customer or of one order."""
    if (customer is None) == (order is None):
        raise InvalidInput("name either --customer or --order")
    uow = tenant_uow(runtime(db), tenant)
    if customer is not None:
        service.set_customer_policy(uow, CustomerId(customer), policy)
    else:
        service.set_order_policy(uow, OrderId(order or ""), policy)
    console.print(f"{customer or order}: {policy.value}")


@commands.command("sourcing-costs")
@domain_errors
def sourcing_costs(
    warehouse_id: str,
    tenant: TenantOption,
    handling: Annotated[str, typer.Option(help="Handling cost per order, e.g. 2.50")],
    per_km: Annotated[str, typer.Option(help="Cost per km to the ship-to, e.g. 0.40")],
    currency: Annotated[str, typer.Option(help="ISO 4217 currency")] = "EUR",
    db: DbOption = None,
) -> None:
    """Set a warehouse's sourcing costs: handling per order + distance x cost per km."""
    try:
        amounts = Money.of(Decimal(handling), currency), Money.of(Decimal(per_km), currency)
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(f"costs must be decimal amounts and an ISO currency: {exc}") from None
    costs = service.set_site_costs(
        tenant_uow(runtime(db), tenant), WarehouseId(warehouse_id), *amounts
    )
    console.print(
        f"{costs.warehouse_id}: {costs.handling_cost} + {costs.cost_per_km}/km {costs.currency}"
    )
