"""Our interface to the vehicle router (PyVRP 0.14, pinned): a problem in, a plan out.

Everything is an integer in explicit units, chosen by whoever builds the problem: distances in
metres, times in seconds from the horizon's origin, loads in whatever unit each dimension names
(grams, cm³, "needs cold"), costs in milli-cents. Nothing outside this module imports ``pyvrp``.

The problem is general on purpose -- several depots, a mixed fleet (each vehicle its own type,
with its own depot, capacities, shift, costs and travel-time profile), any number of load
dimensions -- so that the planner can grow into a full TMS without changing this interface.

When the fleet's capacity covers the demand in every dimension, every stop is *required* first:
PyVRP converges fastest that way (a 230-stop depot plans completely in about a second where the
optional model still leaves stops out after three). If that search ends without a feasible plan
(windows or shifts too tight), or the demand exceeds the fleet, every stop becomes optional, with
a prize larger than what serving it could cost: the router leaves some stops out (``unplanned``)
instead of returning an infeasible plan; that search starts from the empty (feasible) solution,
so its best is feasible. ``check_plan`` verifies every plan independently before anyone
persists it.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyvrp
from numpy.typing import NDArray
from pyvrp.exceptions import PenaltyBoundWarning

log = logging.getLogger("otwb.transport.routing")

_MAX_COST = 2**62  # keep every penalised cost far from int64 overflow
_SAFE_OBJECTIVE = 2**58
NO_IMPROVEMENT_ITERATIONS = 20_000
"""Stop before the time limit when the best plan has not improved for this many iterations."""


@dataclass(frozen=True, slots=True)
class RoutingDepot:
    location: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class RoutingVehicle:
    name: str
    depot: int
    """Index into ``RoutingProblem.depots``: where the vehicle starts and ends."""
    capacity: tuple[int, ...]
    tw_early: int
    """Earliest departure from the depot."""
    tw_late: int
    """Latest return to the depot (end of shift)."""
    fixed_cost: int
    cost_per_m: int
    cost_per_s: int
    profile: int = 0
    """Index into ``RoutingProblem.durations_s``: the travel times this vehicle drives at."""


@dataclass(frozen=True, slots=True)
class RoutingStop:
    name: str
    location: int
    demand: tuple[int, ...]
    service_s: int
    tw_early: int
    tw_late: int
    """Service starts within [tw_early, tw_late]."""


@dataclass(frozen=True)
class RoutingProblem:
    dimensions: tuple[str, ...]
    coordinates: NDArray[np.float64]
    """n x 2 (longitude, latitude) of every location; the matrices follow the same order."""
    distance_m: NDArray[np.int64]
    durations_s: tuple[NDArray[np.int64], ...]
    depots: tuple[RoutingDepot, ...]
    vehicles: tuple[RoutingVehicle, ...]
    stops: tuple[RoutingStop, ...]

    def __post_init__(self) -> None:
        n = len(self.coordinates)
        if self.coordinates.shape != (n, 2):
            raise ValueError("coordinates must be an n x 2 array")
        for matrix in (self.distance_m, *self.durations_s):
            if matrix.shape != (n, n) or matrix.dtype != np.int64:
                raise ValueError("every matrix must be n x n int64, n = number of locations")
            if n and matrix.min() < 0:
                raise ValueError("distances and durations cannot be negative")
        if not self.depots or not self.durations_s:
            raise ValueError("a problem needs at least one depot and one duration matrix")
        dims = len(self.dimensions)
        for d in self.depots:
            if not 0 <= d.location < n:
                raise ValueError(f"depot {d.name}: no location {d.location}")
        for v in self.vehicles:
            if not 0 <= v.depot < len(self.depots) or not 0 <= v.profile < len(self.durations_s):
                raise ValueError(f"vehicle {v.name}: unknown depot or profile")
            if len(v.capacity) != dims or min(v.capacity, default=0) < 0:
                raise ValueError(f"vehicle {v.name}: one non-negative capacity per dimension")
            if not 0 <= v.tw_early <= v.tw_late:
                raise ValueError(f"vehicle {v.name}: the shift must not end before it starts")
            if min(v.fixed_cost, v.cost_per_m, v.cost_per_s) < 0:
                raise ValueError(f"vehicle {v.name}: costs cannot be negative")
        for s in self.stops:
            if not 0 <= s.location < n:
                raise ValueError(f"stop {s.name}: no location {s.location}")
            if len(s.demand) != dims or min(s.demand, default=0) < 0:
                raise ValueError(f"stop {s.name}: one non-negative demand per dimension")
            if s.service_s < 0 or s.tw_early > s.tw_late:
                raise ValueError(f"stop {s.name}: the window must not end before it starts")

    def travel_s(self, vehicle: RoutingVehicle, a: int, b: int) -> int:
        return int(self.durations_s[vehicle.profile][a, b])

    @property
    def horizon(self) -> int:
        return max((v.tw_late for v in self.vehicles), default=0)


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    stop: int
    arrival_s: int
    start_s: int
    """Service starts (the ETA at the door): arrival, or the window's opening if earlier."""
    departure_s: int


@dataclass(frozen=True, slots=True)
class PlannedRoute:
    vehicle: int
    visits: tuple[PlannedVisit, ...]
    start_s: int
    end_s: int
    distance_m: int
    duration_s: int
    cost: int


@dataclass(frozen=True)
class RoutingPlan:
    routes: tuple[PlannedRoute, ...]
    unplanned: tuple[int, ...]
    cost: int
    """Travel cost of the routes (without the prizes of unplanned stops)."""
    runtime_s: float = 0.0
    notes: tuple[str, ...] = field(default=())


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
    bound = len(problem.vehicles) * worst_route + stop_prize * (n + 1)
    return max(1, -(-bound // _SAFE_OBJECTIVE))


def _scaled(value: int, scale: int) -> int:
    return value if scale == 1 or value == 0 else max(1, round(value / scale))


def _max_penalty(problem: RoutingProblem, stop_prize: int) -> float:
    """A unit of violation at the highest penalty outweighs a stop's prize, and never overflows."""
    totals = [sum(s.demand[d] for s in problem.stops) for d in range(len(problem.dimensions))]
    worst_violation = max([*totals, problem.horizon * max(len(problem.stops), 1), 1])
    return float(max(100_000, min(stop_prize, _MAX_COST // (8 * worst_violation))))


def _problem_data(
    problem: RoutingProblem, stop_prize: int, scale: int, required: bool
) -> pyvrp.ProblemData:
    locations = [pyvrp.Location(x=float(x), y=float(y)) for x, y in problem.coordinates]
    depots = [pyvrp.Depot(location=d.location, name=d.name) for d in problem.depots]
    clients = [
        pyvrp.Client(
            location=s.location,
            delivery=list(s.demand),
            pickup=[0] * len(s.demand),
            service_duration=s.service_s,
            tw_early=s.tw_early,
            tw_late=s.tw_late,
            prize=0 if required else stop_prize,
            required=required,
            name=s.name,
        )
        for s in problem.stops
    ]
    vehicle_types = [
        pyvrp.VehicleType(
            num_available=1,
            capacity=list(v.capacity),
            start_depot=v.depot,
            end_depot=v.depot,
            fixed_cost=_scaled(v.fixed_cost, scale),
            tw_early=v.tw_early,
            tw_late=v.tw_late,
            unit_distance_cost=_scaled(v.cost_per_m, scale),
            unit_duration_cost=_scaled(v.cost_per_s, scale),
            profile=v.profile,
            name=v.name,
        )
        for v in problem.vehicles
    ]
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
    """Whether the vehicles' total capacity covers the stops' total demand, dimension by dimension
    (necessary, not sufficient, for a plan that serves every stop)."""
    for d in range(len(problem.dimensions)):
        demand = sum(s.demand[d] for s in problem.stops)
        if demand > sum(v.capacity[d] for v in problem.vehicles):
            return False
    return True


def solve(problem: RoutingProblem, time_limit_s: float = 5.0, seed: int = 0) -> RoutingPlan:
    """The cheapest feasible plan the router finds within the time limit."""
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
        data = _problem_data(problem, stop_prize, scale, required=True)
        result = _search(data, params, time_limit_s / 2, seed, None)
        if result.is_feasible():
            return _checked(problem, result.best, started)
        log.info(
            "no plan serves every stop in %.1f s; some stops become optional", time_limit_s / 2
        )
        time_limit_s /= 2
    data = _problem_data(problem, stop_prize, scale, required=False)
    empty = pyvrp.Solution(data, [])  # feasible: every stop unplanned
    result = _search(data, params, time_limit_s, seed, empty)
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
) -> pyvrp.Result:
    criteria: list[pyvrp.stop.StoppingCriterion] = [
        pyvrp.stop.MaxRuntime(max(time_limit_s, 0.01)),
        pyvrp.stop.NoImprovement(NO_IMPROVEMENT_ITERATIONS),
    ]
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
    elapsed = time.perf_counter() - started
    plan = _plan_of(problem, solution, elapsed)
    violations = check_plan(problem, plan)
    if violations:
        log.error("the router's plan fails our own checks: %s", "; ".join(violations))
        return RoutingPlan((), everything, 0, elapsed, tuple(violations))
    return plan


def _plan_of(problem: RoutingProblem, solution: pyvrp.Solution, elapsed: float) -> RoutingPlan:
    routes: list[PlannedRoute] = []
    served: set[int] = set()
    for route in solution.routes():
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
        v = problem.vehicles[int(route.vehicle_type())]
        distance, duration = int(route.distance()), int(route.duration())
        routes.append(
            PlannedRoute(
                vehicle=int(route.vehicle_type()),
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


def check_plan(problem: RoutingProblem, plan: RoutingPlan) -> list[str]:
    """Every way the plan breaks the problem's rules (empty when the plan is feasible).

    Checked independently of the router: each stop served at most once and accounted for; each
    vehicle used at most once; load per dimension within capacity; departure within the shift;
    travel times respected between visits; service within each stop's window; back at the depot
    by the end of the shift; distance and duration as the matrices say.
    """
    problems: list[str] = []
    seen: set[int] = set()
    vehicles: set[int] = set()
    for route in plan.routes:
        if not 0 <= route.vehicle < len(problem.vehicles):
            problems.append(f"unknown vehicle {route.vehicle}")
            continue
        v = problem.vehicles[route.vehicle]
        if route.vehicle in vehicles:
            problems.append(f"{v.name}: used by two routes")
        vehicles.add(route.vehicle)
        problems.extend(_check_route(problem, v, route, seen))
    missing = set(range(len(problem.stops))) - seen - set(plan.unplanned)
    if missing:
        problems.append(f"stops neither planned nor reported unplanned: {sorted(missing)}")
    if seen & set(plan.unplanned):
        problems.append(f"stops both planned and unplanned: {sorted(seen & set(plan.unplanned))}")
    return problems


def _check_route(
    problem: RoutingProblem, v: RoutingVehicle, route: PlannedRoute, seen: set[int]
) -> list[str]:
    out: list[str] = []
    depot = problem.depots[v.depot].location
    load = [0] * len(problem.dimensions)
    if route.start_s < v.tw_early:
        out.append(f"{v.name}: leaves at {route.start_s}, before its shift ({v.tw_early})")
    here, clock, distance = depot, route.start_s, 0
    for visit in route.visits:
        if not 0 <= visit.stop < len(problem.stops):
            out.append(f"{v.name}: unknown stop {visit.stop}")
            continue
        s = problem.stops[visit.stop]
        if visit.stop in seen:
            out.append(f"{s.name}: served twice")
        seen.add(visit.stop)
        load = [a + b for a, b in zip(load, s.demand, strict=True)]
        earliest = clock + problem.travel_s(v, here, s.location)
        if visit.arrival_s < earliest or visit.start_s < max(visit.arrival_s, s.tw_early):
            out.append(f"{s.name}: planned before the vehicle can be there")
        if not s.tw_early <= visit.start_s <= s.tw_late:
            out.append(f"{s.name}: service at {visit.start_s}, outside [{s.tw_early}, {s.tw_late}]")
        if visit.departure_s != visit.start_s + s.service_s:
            out.append(f"{s.name}: service time is not {s.service_s} s")
        distance += int(problem.distance_m[here, s.location])
        here, clock = s.location, visit.departure_s
    back = clock + problem.travel_s(v, here, depot)
    distance += int(problem.distance_m[here, depot])
    if back > v.tw_late or route.end_s > v.tw_late:
        out.append(f"{v.name}: back at {max(back, route.end_s)}, after its shift ({v.tw_late})")
    if route.end_s < back:
        out.append(f"{v.name}: planned back at {route.end_s}, cannot be before {back}")
    for name, used, cap in zip(problem.dimensions, load, v.capacity, strict=True):
        if used > cap:
            out.append(f"{v.name}: {name} {used} over its capacity {cap}")
    if route.distance_m != distance:
        out.append(f"{v.name}: distance {route.distance_m} m, the matrix says {distance} m")
    if route.duration_s != route.end_s - route.start_s:
        out.append(f"{v.name}: duration {route.duration_s} s is not end - start")
    return out
