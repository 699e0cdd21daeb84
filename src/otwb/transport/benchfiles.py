"""Standard benchmark files (Solomon, VRPLIB CVRP / VRPTW) through our own routing interface.

The files are read with the ``vrplib`` package; the distances follow the convention of the
best-known solutions (BKS) published with them, so that a cost can be compared to the BKS:

* VRPTW (Solomon, Gehring & Homberger): Euclidean distances truncated to one decimal (DIMACS);
  travel time equals distance; the objective is total distance. We work in tenths (scale 10),
  so every number is an exact integer, and report cost / 10.
* CVRP (CVRPLIB X): Euclidean distances rounded to the nearest integer; total distance.

Client ids in the answer are the ones of the ``.sol`` files: the node's index in the file with
the depot as 0 (VRPLIB numbers nodes from 1, the depot first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import vrplib
from numpy.typing import NDArray

from otwb.platform.errors import InvalidInput
from otwb.transport import routing
from otwb.transport.distance import EuclideanProvider
from otwb.transport.vrp import (
    RoutingDepot,
    RoutingPlan,
    RoutingProblem,
    RoutingStop,
    RoutingVehicle,
    check_plan,
)


@dataclass(frozen=True)
class BenchInstance:
    name: str
    kind: str
    """``cvrp`` or ``vrptw``."""
    coords: NDArray[np.float64]
    demand: NDArray[np.int64]
    capacity: int
    depot: int
    vehicles: int | None
    time_windows: NDArray[np.int64] | None
    service: NDArray[np.int64] | None
    explicit: NDArray[np.float64] | None = None
    """Edge weights given in the file (EXPLICIT instances) instead of coordinates."""

    @property
    def scale(self) -> int:
        """Integer units per unit of the BKS's cost: tenths for VRPTW, units for CVRP."""
        return 10 if self.kind == "vrptw" else 1


@dataclass(frozen=True)
class FileResult:
    instance: BenchInstance
    cost: float
    vehicles: int
    feasible: bool
    routes: list[list[int]]
    runtime_s: float
    best_known: float | None

    @property
    def gap_pct(self) -> float | None:
        if self.best_known is None or not self.feasible:
            return None
        return round(100.0 * (self.cost - self.best_known) / self.best_known, 3)

    def as_json(self) -> dict[str, Any]:
        return {
            "instance": self.instance.name,
            "cost": self.cost,
            "vehicles": self.vehicles,
            "feasible": self.feasible,
            "routes": self.routes,
            "best_known": self.best_known,
            "gap_pct": self.gap_pct,
            "runtime_s": round(self.runtime_s, 3),
        }


def _is_solomon(path: Path) -> bool:
    head = path.read_text(errors="replace")[:2000].upper()
    return "CUSTOMER" in head and "VEHICLE" in head and "NODE_COORD_SECTION" not in head


def read_instance(path: Path) -> BenchInstance:
    """A Solomon or VRPLIB (CVRP / VRPTW) instance; ``InvalidInput`` when it is neither."""
    if not path.is_file():
        raise InvalidInput(f"no file {path}")
    solomon = _is_solomon(path)
    try:
        raw = vrplib.read_instance(
            str(path),
            instance_format="solomon" if solomon else "vrplib",
            compute_edge_weights=False,
        )
    except Exception as exc:  # vrplib raises whatever its parser hits on a foreign file
        raise InvalidInput(f"{path.name} is not a Solomon or VRPLIB instance: {exc}") from None
    if "demand" not in raw or "capacity" not in raw:
        raise InvalidInput(f"{path.name}: a routing instance needs demands and a capacity")
    coords = raw.get("node_coord")
    explicit = raw.get("edge_weight") if coords is None else None
    if coords is None and explicit is None:
        raise InvalidInput(f"{path.name}: neither coordinates nor edge weights")
    n = len(raw["demand"])
    tw = raw.get("time_window")
    service = raw.get("service_time")
    if service is not None and np.ndim(service) == 0:
        service = np.full(n, int(service), dtype=np.int64)
    depots = np.atleast_1d(raw.get("depot", [0]))
    if len(depots) != 1:
        raise InvalidInput(f"{path.name}: one depot expected, found {len(depots)}")
    vehicles = raw.get("vehicles")
    return BenchInstance(
        name=str(raw.get("name", path.stem)).strip(),
        kind="vrptw" if tw is not None else "cvrp",
        coords=np.asarray(coords if coords is not None else np.zeros((n, 2)), dtype=np.float64),
        demand=np.asarray(raw["demand"], dtype=np.int64),
        capacity=int(np.atleast_1d(raw["capacity"])[0]),
        depot=int(depots[0]),
        vehicles=int(vehicles) if vehicles is not None else None,
        time_windows=None if tw is None else np.asarray(tw, dtype=np.int64),
        service=None if service is None else np.asarray(service, dtype=np.int64),
        explicit=None if explicit is None else np.asarray(explicit, dtype=np.float64),
    )


def distance_matrix(instance: BenchInstance) -> NDArray[np.int64]:
    """Distances in the BKS's convention, in integer units of 1 / ``instance.scale``."""
    if instance.explicit is not None:
        return np.rint(instance.explicit * instance.scale).astype(np.int64)
    provider = EuclideanProvider(instance.scale, truncate=instance.kind == "vrptw")
    return provider.matrix(instance.coords)


def to_problem(instance: BenchInstance) -> RoutingProblem:
    """The instance in our routing interface: identical vehicles (as many as the file allows,
    else one per client), distance the only cost."""
    matrix = distance_matrix(instance)
    n, scale = len(instance.demand), instance.scale
    tw = instance.time_windows
    service = instance.service if instance.service is not None else np.zeros(n, dtype=np.int64)
    horizon = int(tw[instance.depot, 1]) * scale if tw is not None else int(matrix.sum()) + 1
    start = int(tw[instance.depot, 0]) * scale if tw is not None else 0
    clients = [i for i in range(n) if i != instance.depot]
    stops = tuple(
        RoutingStop(
            name=str(i),
            location=i,
            demand=(int(instance.demand[i]),),
            service_s=int(service[i]) * scale,
            tw_early=int(tw[i, 0]) * scale if tw is not None else 0,
            tw_late=int(tw[i, 1]) * scale if tw is not None else horizon,
        )
        for i in clients
    )
    vehicle = RoutingVehicle(
        name="vehicle",
        depot=0,
        capacity=(instance.capacity,),
        tw_early=start,
        tw_late=horizon,
        fixed_cost=0,
        cost_per_m=1,
        cost_per_s=0,
        count=instance.vehicles or len(clients),
    )
    return RoutingProblem(
        dimensions=("demand",),
        coordinates=instance.coords,
        distance_m=matrix,
        durations_s=(matrix,),
        depots=(RoutingDepot(instance.depot, "depot"),),
        vehicles=(vehicle,),
        stops=stops,
    )


def best_known(path: Path) -> float | None:
    """The cost in the ``.sol`` file beside the instance, if there is one."""
    solution = path.with_suffix(".sol")
    if not solution.is_file():
        return None
    cost = vrplib.read_solution(str(solution)).get("cost")
    return float(cost) if cost is not None else None


def result_of(instance: BenchInstance, problem: RoutingProblem, plan: RoutingPlan) -> FileResult:
    feasible = not plan.unplanned and not plan.notes and check_plan(problem, plan) == []
    routes = [[problem.stops[v.stop].location for v in r.visits] for r in plan.routes]
    distance = sum(r.distance_m for r in plan.routes)
    return FileResult(
        instance=instance,
        cost=round(distance / instance.scale, 1 if instance.scale == 10 else 0),
        vehicles=len(plan.routes),
        feasible=feasible,
        routes=routes,
        runtime_s=plan.runtime_s,
        best_known=None,
    )


def solve_file(path: Path, time_limit_s: float = 10.0, seed: int = 0) -> FileResult:
    """Read, solve with the whole time limit, and cost the plan by the BKS's convention."""
    if not 0 < time_limit_s <= 3600:
        raise InvalidInput("the time limit is between 0 and 3600 seconds")
    instance = read_instance(path)
    problem = to_problem(instance)
    plan = routing.solve(problem, time_limit_s, seed, patience=None)
    result = result_of(instance, problem, plan)
    return FileResult(**{**result.__dict__, "best_known": best_known(path)})
