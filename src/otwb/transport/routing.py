"""Our interface to the vehicle router (PyVRP 0.14, pinned): a problem in, a plan out.

Everything is an integer in explicit units, chosen by whoever builds the problem: distances in
metres, times in seconds from the horizon's origin, loads in whatever unit each dimension names
(grams, cm³, "needs cold"), costs in milli-cents. Nothing outside this module imports ``pyvrp``.

The problem is general on purpose -- several depots, a mixed fleet (each vehicle its own type,
with its own depot, capacities, shift, costs and travel-time profile), any number of load
dimensions -- so that the planner can grow into a full TMS without changing this interface.

When the fleet's capacity covers the demand in every dimension, every stop is *required* first:
PyVRP converges fastest that way (a 230-stop depot plans completely in about a second where the
optional model still leaves stops out after three). If that search has found no feasible plan
by half the time limit (windows or shifts too tight), or the demand exceeds the fleet, every
stop becomes optional, with a prize larger than what serving it could cost: the router leaves
some stops out (``unplanned``) instead of returning an infeasible plan; that search starts from
the empty (feasible) solution, so its best is feasible. ``check_plan`` verifies every plan
independently before anyone persists it.

Pickups ride back to the depot (PyVRP's pickup amounts: the load on board never exceeds the
capacity at any point); a vehicle may end at another depot than it starts from (re-routing from
the road); an electric vehicle's range is its maximum distance. PyVRP has no drivers' breaks:
the break time is held back from the shift, and ``schedule.py`` places the breaks in the routes
(dropping a stop to the unplanned ones in the rare case a break pushes it out of its window).
"""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any

import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning

from otwb.transport.schedule import fit
from otwb.transport.vrp import (
    PlannedRoute,
    PlannedVisit,
    RoutingPlan,
    RoutingProblem,
    RoutingVehicle,
    check_plan,
)

log = logging.getLogger("otwb.transport.routing")

_MAX_COST = 2**62  # keep every penalised cost far from int64 overflow
_INFEASIBLE = 2**63 - 1  # what PyVRP's CostEvaluator.cost gives an infeasible solution
_SAFE_OBJECTIVE = 2**58
NO_IMPROVEMENT_ITERATIONS = 20_000
"""Stop before the time limit when the best plan has not improved for this many iterations."""


def prize(problem: RoutingProblem) -> int:
    """A prize per stop larger than the most that serving it could add to any route's cost:
    a vehicle's fixed cost, a detour of twice the longest leg, and a whole shift of time."""
    if not problem.vehicles:
        return 1
    longest = int(problem.distance_m.max()) if len(problem.distance_m) else 0
    span = problem.horizon
    worst = max(
        v.fixed_cost + v.cost_per_m * 2 * longest + v.cost_per_s * span for v in problem.vehicles
    )
    return 2 * worst + 1_000


def _cost_scale(problem: RoutingProblem, stop_prize: int) -> int:
    """A divisor for every cost so that no objective the router can reach overflows int64.

    1 (costs as given) for any realistic fleet; extreme rates are scaled down together, which
    keeps their proportions and so the plan that minimises them.
    """
    n = len(problem.stops)
    longest = int(problem.distance_m.max()) if len(problem.distance_m) else 0
    worst_route = max(
        (
            v.fixed_cost + v.cost_per_m * longest * (n + 1) + v.cost_per_s * problem.horizon
            for v in problem.vehicles
        ),
        default=0,
    )
    bound = sum(v.count for v in problem.vehicles) * worst_route + stop_prize * (n + 1)
    return max(1, -(-bound // _SAFE_OBJECTIVE))


def _scaled(value: int, scale: int) -> int:
    return value if scale == 1 or value == 0 else max(1, round(value / scale))


def _max_penalty(problem: RoutingProblem, stop_prize: int) -> float:
    """A unit of violation at the highest penalty outweighs a stop's prize, and never overflows."""
    totals = [sum(s.demand[d] for s in problem.stops) for d in range(len(problem.dimensions))]
    worst_violation = max([*totals, problem.horizon * max(len(problem.stops), 1), 1])
    return float(max(100_000, min(stop_prize, _MAX_COST // (8 * worst_violation))))


def break_reserve(v: RoutingVehicle) -> int:
    """Break time held back from the shift: one break per full stretch the rule allows."""
    if not v.break_after_s or not v.break_s:
        return 0
    span = v.tw_late - v.tw_early
    return v.break_s * max(0, -(-span // (v.break_after_s + v.break_s)) - 1)


def _vehicle_type(v: RoutingVehicle, scale: int) -> pyvrp.VehicleType:
    limits: dict[str, Any] = {}
    if v.max_distance_m is not None:
        limits["max_distance"] = v.max_distance_m
    return pyvrp.VehicleType(
        num_available=v.count,
        capacity=list(v.capacity),
        start_depot=v.depot,
        end_depot=v.end,
        fixed_cost=_scaled(v.fixed_cost, scale),
        tw_early=v.tw_early,
        tw_late=max(v.tw_early, v.tw_late - break_reserve(v)),
        unit_distance_cost=_scaled(v.cost_per_m, scale),
        unit_duration_cost=_scaled(v.cost_per_s, scale),
        profile=v.profile,
        name=v.name,
        **limits,
    )


def problem_data(
    problem: RoutingProblem, stop_prize: int = 0, scale: int = 1, required: bool = True
) -> pyvrp.ProblemData:
    """PyVRP's view of the problem, built straight from the arrays (ARCHITECTURE rule 7)."""
    dims = len(problem.dimensions)
    locations = [pyvrp.Location(x=float(x), y=float(y)) for x, y in problem.coordinates]
    depots = [pyvrp.Depot(location=d.location, name=d.name) for d in problem.depots]
    clients = [
        pyvrp.Client(
            location=s.location,
            delivery=list(s.demand),
            pickup=list(s.picked(dims)),
            service_duration=s.service_s,
            tw_early=s.tw_early,
            tw_late=s.tw_late,
            prize=0 if required else stop_prize,
            required=required,
            name=s.name,
        )
        for s in problem.stops
    ]
    vehicle_types = [_vehicle_type(v, scale) for v in problem.vehicles]
    profiles = len(problem.durations_s)
    # PyVRP's stubs type matrices oddly (ndarray[int, ...]); they are int64 n x n arrays.
    distances: Any = [problem.distance_m] * profiles
    durations: Any = list(problem.durations_s)
    return pyvrp.ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=distances,
        duration_matrices=durations,
    )


def fleet_covers_demand(problem: RoutingProblem) -> bool:
    """Whether the vehicles' total capacity covers the stops' total demand (deliveries, and
    pickups), dimension by dimension: necessary, not sufficient, for serving every stop."""
    dims = len(problem.dimensions)
    for d in range(dims):
        needed = max(
            sum(s.demand[d] for s in problem.stops), sum(s.picked(dims)[d] for s in problem.stops)
        )
        if needed > sum(v.capacity[d] for v in problem.vehicles):
            return False
    return True


class _GiveUpIfInfeasible:
    """Stops a search that has found no feasible solution after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.start: float | None = None

    def __call__(self, best_cost: float) -> bool:
        if self.start is None:
            self.start = time.perf_counter()
        return best_cost >= _INFEASIBLE and time.perf_counter() - self.start > self.seconds


def solve(
    problem: RoutingProblem,
    time_limit_s: float = 5.0,
    seed: int = 0,
    *,
    patience: int | None = NO_IMPROVEMENT_ITERATIONS,
) -> RoutingPlan:
    """The cheapest feasible plan the router finds within the time limit.

    ``patience``: stop earlier once this many iterations in a row found nothing better (None:
    use the whole time limit, as benchmarks do).
    """
    everything = tuple(range(len(problem.stops)))
    if not problem.stops or not problem.vehicles:
        return RoutingPlan((), everything, 0)
    started = time.perf_counter()
    scale = _cost_scale(problem, prize(problem))
    stop_prize = _scaled(prize(problem), scale)
    params = pyvrp.SolveParams(
        penalty=pyvrp.PenaltyParams(max_penalty=_max_penalty(problem, stop_prize))
    )
    if fleet_covers_demand(problem):
        data = problem_data(problem, stop_prize, scale, required=True)
        give_up = _GiveUpIfInfeasible(time_limit_s / 2)
        result = _search(data, params, time_limit_s, seed, None, patience, give_up)
        if result.is_feasible():
            return _checked(problem, result.best, started)
        log.info("no plan serves every stop in %.1f s; some stops become optional", give_up.seconds)
        time_limit_s = max(0.01, time_limit_s - (time.perf_counter() - started))
    data = problem_data(problem, stop_prize, scale, required=False)
    empty = pyvrp.Solution(data, [])  # feasible: every stop unplanned
    result = _search(data, params, time_limit_s, seed, empty, patience)
    if not result.is_feasible():
        log.error("the router returned an infeasible solution; nothing is planned")
        elapsed = time.perf_counter() - started
        return RoutingPlan((), everything, 0, elapsed, ("no feasible plan found",))
    return _checked(problem, result.best, started)


def _search(
    data: pyvrp.ProblemData,
    params: pyvrp.SolveParams,
    time_limit_s: float,
    seed: int,
    initial: pyvrp.Solution | None,
    patience: int | None,
    *extra: Any,
) -> pyvrp.Result:
    criteria: list[Any] = [pyvrp.stop.MaxRuntime(max(time_limit_s, 0.01)), *extra]
    if patience is not None:
        criteria.append(pyvrp.stop.NoImprovement(patience))
    with warnings.catch_warnings():
        # Raised when penalties peak on a problem with no feasible answer: we handle that.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        return pyvrp.solve(
            data,
            stop=pyvrp.stop.MultipleCriteria(criteria),
            seed=seed,
            collect_stats=False,
            display=False,
            params=params,
            initial_solution=initial,
        )


def _checked(problem: RoutingProblem, solution: pyvrp.Solution, started: float) -> RoutingPlan:
    everything = tuple(range(len(problem.stops)))
    plan = _plan_of(problem, solution, time.perf_counter() - started)
    violations = check_plan(problem, plan)
    if violations:
        log.error("the router's plan fails our own checks: %s", "; ".join(violations))
        elapsed = time.perf_counter() - started
        return RoutingPlan((), everything, 0, elapsed, tuple(violations))
    return plan


def _plan_of(problem: RoutingProblem, solution: pyvrp.Solution, elapsed: float) -> RoutingPlan:
    routes: list[PlannedRoute] = []
    served: set[int] = set()
    for route in solution.routes():
        vi = int(route.vehicle_type())
        v = problem.vehicles[vi]
        if v.break_after_s:
            # Times with the driver's breaks placed; a stop they push out of its window waits.
            order = [int(a.idx) for a in route.schedule() if a.type == pyvrp.ActivityType.CLIENT]
            timed, _dropped = fit(problem, vi, int(route.start_time()), order)
            if timed is not None:
                routes.append(timed)
                served.update(visit.stop for visit in timed.visits)
            continue
        visits = []
        for activity in route.schedule():
            if activity.type != pyvrp.ActivityType.CLIENT:
                continue
            visits.append(
                PlannedVisit(
                    stop=int(activity.idx),
                    arrival_s=int(activity.start_time - activity.wait_duration),
                    start_s=int(activity.start_time),
                    departure_s=int(activity.end_time),
                )
            )
            served.add(int(activity.idx))
        if not visits:
            continue
        distance, duration = int(route.distance()), int(route.duration())
        routes.append(
            PlannedRoute(
                vehicle=vi,
                visits=tuple(visits),
                start_s=int(route.start_time()),
                end_s=int(route.end_time()),
                distance_m=distance,
                duration_s=duration,
                cost=v.fixed_cost + v.cost_per_m * distance + v.cost_per_s * duration,
            )
        )
    routes.sort(key=lambda r: r.vehicle)
    unplanned = tuple(i for i in range(len(problem.stops)) if i not in served)
    return RoutingPlan(tuple(routes), unplanned, sum(r.cost for r in routes), elapsed)
