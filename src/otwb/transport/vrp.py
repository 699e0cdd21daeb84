"""The routing problem and its plan in our own terms -- integers in explicit units, no solver --
and the independent check that a plan keeps every rule of its problem.

``routing.py`` solves these problems with PyVRP; whatever solves them, ``check_plan`` is run on
the answer before anything is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray


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
    end_depot: int | None = None
    """Where it ends, when not where it started (a vehicle re-routed from the road)."""
    max_distance_m: int | None = None
    """The most it may drive (an electric vehicle's range)."""
    break_after_s: int = 0
    """Its driver's break rule: at most this much work between breaks (0: no rule)."""
    break_s: int = 0
    count: int = 1
    """How many identical vehicles this stands for (benchmark fleets); each drives one route."""

    @property
    def end(self) -> int:
        return self.depot if self.end_depot is None else self.end_depot


@dataclass(frozen=True, slots=True)
class RoutingStop:
    name: str
    location: int
    demand: tuple[int, ...]
    service_s: int
    tw_early: int
    tw_late: int
    """Service starts within [tw_early, tw_late]."""
    pickup: tuple[int, ...] = ()
    """What it sends back to the depot, per dimension (empty: nothing)."""

    def picked(self, dims: int) -> tuple[int, ...]:
        return self.pickup or (0,) * dims


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
            if not 0 <= v.end < len(self.depots):
                raise ValueError(f"vehicle {v.name}: unknown end depot")
            if v.count < 1 or min(v.break_after_s, v.break_s) < 0 or (v.max_distance_m or 0) < 0:
                raise ValueError(f"vehicle {v.name}: break rule and range cannot be negative")
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
            if s.pickup and (len(s.pickup) != dims or min(s.pickup) < 0):
                raise ValueError(f"stop {s.name}: one non-negative pickup per dimension")
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
    breaks: tuple[PlannedBreak, ...] = ()


@dataclass(frozen=True, slots=True)
class PlannedBreak:
    after: int
    """Taken where the vehicle is after this many visits (0: at the start depot)."""
    start_s: int


@dataclass(frozen=True)
class RoutingPlan:
    routes: tuple[PlannedRoute, ...]
    unplanned: tuple[int, ...]
    cost: int
    """Travel cost of the routes (without the prizes of unplanned stops)."""
    runtime_s: float = 0.0
    notes: tuple[str, ...] = field(default=())


def check_plan(problem: RoutingProblem, plan: RoutingPlan) -> list[str]:
    """Every way the plan breaks the problem's rules (empty when the plan is feasible).

    Checked independently of the router: each stop served at most once and accounted for; each
    vehicle used at most once; the load on board within capacity at every moment (deliveries
    leave, pickups come on board); departure within the shift; travel times respected between
    visits; service within each stop's window; back at the end depot by the end of the shift;
    the range; the driver's breaks; distance and duration as the matrices say.
    """
    problems: list[str] = []
    seen: set[int] = set()
    used: dict[int, int] = {}
    for route in plan.routes:
        if not 0 <= route.vehicle < len(problem.vehicles):
            problems.append(f"unknown vehicle {route.vehicle}")
            continue
        v = problem.vehicles[route.vehicle]
        used[route.vehicle] = used.get(route.vehicle, 0) + 1
        if used[route.vehicle] == v.count + 1:
            problems.append(f"{v.name}: used by more routes than there are such vehicles")
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
    dims = len(problem.dimensions)
    depot = problem.depots[v.depot].location
    if route.start_s < v.tw_early:
        out.append(f"{v.name}: leaves at {route.start_s}, before its shift ({v.tw_early})")
    breaks = {b.after: b for b in route.breaks}
    here, clock, distance = depot, route.start_s, 0
    delivered = [0] * dims
    loads: list[list[int]] = []  # on board after each visit, before subtracting the start load
    for n, visit in enumerate(route.visits):
        if n in breaks:
            clock = _check_break(out, v, breaks[n], clock)
        if not 0 <= visit.stop < len(problem.stops):
            out.append(f"{v.name}: unknown stop {visit.stop}")
            continue
        s = problem.stops[visit.stop]
        if visit.stop in seen:
            out.append(f"{s.name}: served twice")
        seen.add(visit.stop)
        delivered = [a + b for a, b in zip(delivered, s.demand, strict=True)]
        loads.append([p - d for p, d in zip(s.picked(dims), s.demand, strict=True)])
        earliest = clock + problem.travel_s(v, here, s.location)
        if visit.arrival_s < earliest or visit.start_s < max(visit.arrival_s, s.tw_early):
            out.append(f"{s.name}: planned before the vehicle can be there")
        if not s.tw_early <= visit.start_s <= s.tw_late:
            out.append(f"{s.name}: service at {visit.start_s}, outside [{s.tw_early}, {s.tw_late}]")
        if visit.departure_s != visit.start_s + s.service_s:
            out.append(f"{s.name}: service time is not {s.service_s} s")
        distance += int(problem.distance_m[here, s.location])
        here, clock = s.location, visit.departure_s
    if len(route.visits) in breaks:
        clock = _check_break(out, v, breaks[len(route.visits)], clock)
    end = problem.depots[v.end].location
    back = clock + problem.travel_s(v, here, end)
    distance += int(problem.distance_m[here, end])
    if back > v.tw_late or route.end_s > v.tw_late:
        out.append(f"{v.name}: back at {max(back, route.end_s)}, after its shift ({v.tw_late})")
    if route.end_s < back:
        out.append(f"{v.name}: planned back at {route.end_s}, cannot be before {back}")
    on_board, peak = list(delivered), list(delivered)
    for change in loads:
        on_board = [a + b for a, b in zip(on_board, change, strict=True)]
        peak = [max(a, b) for a, b in zip(peak, on_board, strict=True)]
    for name, used, cap in zip(problem.dimensions, peak, v.capacity, strict=True):
        if used > cap:
            out.append(f"{v.name}: {name} {used} over its capacity {cap}")
    if route.distance_m != distance:
        out.append(f"{v.name}: distance {route.distance_m} m, the matrix says {distance} m")
    if v.max_distance_m is not None and distance > v.max_distance_m:
        out.append(f"{v.name}: drives {distance} m, beyond its range of {v.max_distance_m} m")
    if route.duration_s != route.end_s - route.start_s:
        out.append(f"{v.name}: duration {route.duration_s} s is not end - start")
    out.extend(_check_work_time(v, route))
    return out


def _check_break(out: list[str], v: RoutingVehicle, b: PlannedBreak, clock: int) -> int:
    if b.start_s < clock:
        out.append(f"{v.name}: break at {b.start_s} before the vehicle is free ({clock})")
    return max(clock, b.start_s) + v.break_s


def _check_work_time(v: RoutingVehicle, route: PlannedRoute) -> list[str]:
    """No stretch of work between the start, the breaks and the end longer than the rule."""
    if not v.break_after_s:
        return [] if not route.breaks else [f"{v.name}: breaks planned without a break rule"]
    edges = [route.start_s]
    for b in sorted(route.breaks, key=lambda b: b.start_s):
        edges += [b.start_s, b.start_s + v.break_s]
    edges.append(route.end_s)
    stretches = [edges[i + 1] - edges[i] for i in range(0, len(edges), 2)]
    if max(stretches) > v.break_after_s:
        return [f"{v.name}: {max(stretches)} s of work without a break (rule {v.break_after_s})"]
    return []
