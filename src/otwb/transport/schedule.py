"""A route's timetable from its order of stops: when the vehicle arrives, serves, rests, returns.

Pure, on the integer routing problem. Used where the router's own timetable is not enough: a
driver's breaks (PyVRP has no breaks: the router plans with the break time held back from the
shift, and the breaks are placed here), and re-timing a route after a stop is dropped.

The driver rests where they are, before a leg that would take them past the break rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from otwb.transport.vrp import (
    PlannedBreak,
    PlannedRoute,
    PlannedVisit,
    RoutingProblem,
    RoutingVehicle,
)


@dataclass(frozen=True)
class Timetable:
    route: PlannedRoute | None
    """The route, or None when some stop cannot be served in time (see ``late``)."""
    late: int | None = None
    """Position (in the given order) of the first stop that cannot be served in time; the
    number of stops when the vehicle cannot be back by the end of its shift."""


def timetable(
    problem: RoutingProblem, vehicle_index: int, start_s: int, order: Sequence[int]
) -> Timetable:
    """Earliest timetable of visiting the stops ``order`` with this vehicle, leaving at
    ``start_s``, with the driver's breaks; or where it first fails."""
    v = problem.vehicles[vehicle_index]
    depot = problem.depots[v.depot].location
    here, clock, since, distance = depot, start_s, start_s, 0
    visits: list[PlannedVisit] = []
    breaks: list[PlannedBreak] = []
    for n, index in enumerate(order):
        s = problem.stops[index]
        travel = problem.travel_s(v, here, s.location)
        if (
            v.break_after_s
            and _done(clock, travel, s.tw_early, s.service_s) - since > v.break_after_s
        ):
            breaks.append(PlannedBreak(n, clock))
            clock += v.break_s
            since = clock
            if _done(clock, travel, s.tw_early, s.service_s) - since > v.break_after_s:
                return Timetable(None, n)
        arrival = clock + travel
        begin = max(arrival, s.tw_early)
        if begin > s.tw_late:
            return Timetable(None, n)
        visits.append(PlannedVisit(index, arrival, begin, begin + s.service_s))
        distance += int(problem.distance_m[here, s.location])
        here, clock = s.location, begin + s.service_s
    end = problem.depots[v.end].location
    home = problem.travel_s(v, here, end)
    if v.break_after_s and clock + home - since > v.break_after_s:
        breaks.append(PlannedBreak(len(order), clock))
        clock += v.break_s
    back = clock + home
    distance += int(problem.distance_m[here, end])
    if back > v.tw_late or (v.max_distance_m is not None and distance > v.max_distance_m):
        return Timetable(None, len(order))
    duration = back - start_s
    return Timetable(
        PlannedRoute(
            vehicle=vehicle_index,
            visits=tuple(visits),
            start_s=start_s,
            end_s=back,
            distance_m=distance,
            duration_s=duration,
            cost=cost_of(v, distance, duration),
            breaks=tuple(breaks),
        )
    )


def _done(leave: int, travel: int, tw_early: int, service_s: int) -> int:
    return max(leave + travel, tw_early) + service_s


def cost_of(v: RoutingVehicle, distance_m: int, duration_s: int) -> int:
    return v.fixed_cost + v.cost_per_m * distance_m + v.cost_per_s * duration_s


def fit(
    problem: RoutingProblem, vehicle_index: int, start_s: int, order: Sequence[int]
) -> tuple[PlannedRoute | None, list[int]]:
    """The timetable of ``order``, dropping the stops that make it fail until it holds: the
    route (None if no stop is left) and the stops dropped."""
    kept, dropped = list(order), list[int]()
    while kept:
        result = timetable(problem, vehicle_index, start_s, kept)
        if result.route is not None:
            return result.route, dropped
        assert result.late is not None
        dropped.append(kept.pop(min(result.late, len(kept) - 1)))
    return None, dropped
