"""The demo's city: Lyon, its distribution centre, its front warehouses, and where customers are."""

from __future__ import annotations

import math
import random

from otwb.platform.geo import GeoPoint

CITY = "Lyon"
CENTRE = GeoPoint(45.7578, 4.8320)

# (code, name, lat, lon): one central distribution centre east of the city, three front sites.
CENTRAL = ("DC1", "Central DC Saint-Priest", 45.6960, 4.9440)
FRONTS = [
    ("FW-VIL", "Front Villeurbanne", 45.7719, 4.8902),
    ("FW-VAI", "Front Vaise", 45.7745, 4.8050),
    ("FW-GER", "Front Gerland", 45.7270, 4.8300),
]

STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Garibaldi",
    "cours Lafayette",
    "rue Paul Bert",
    "avenue Berthelot",
    "rue Marietton",
    "quai Saint-Vincent",
    "rue Duguesclin",
    "boulevard des Belges",
    "rue de Créqui",
    "avenue Félix Faure",
    "rue Servient",
    "cours Gambetta",
    "rue Moncey",
    "grande rue de la Croix-Rousse",
]
POSTCODES = [
    "69001",
    "69002",
    "69003",
    "69004",
    "69005",
    "69006",
    "69007",
    "69008",
    "69009",
    "69100",
]
KINDS = [
    "Bistro",
    "Pharmacie",
    "Épicerie",
    "Café",
    "Boulangerie",
    "Clinique",
    "Hôtel",
    "Cantine",
    "Traiteur",
    "Brasserie",
    "Supérette",
    "Restaurant",
]
NAMES = [
    "du Parc",
    "des Halles",
    "Bellecour",
    "Saint-Jean",
    "de la Croix-Rousse",
    "Part-Dieu",
    "des Terreaux",
    "Monplaisir",
    "Confluence",
    "Brotteaux",
    "Guillotière",
    "Sans-Souci",
    "Perrache",
    "Jean Macé",
    "Gerland",
    "Vaise",
    "Charpennes",
    "Montchat",
]


def customer_point(rng: random.Random) -> GeoPoint:
    """Customers cluster in the centre and thin out to ~9 km (a half-normal radius)."""
    radius_km = min(abs(rng.gauss(0, 3.5)), 9.0)
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = radius_km * math.cos(bearing) / 111.2
    dlon = radius_km * math.sin(bearing) / (111.2 * math.cos(math.radians(CENTRE.lat)))
    return GeoPoint(round(CENTRE.lat + dlat, 6), round(CENTRE.lon + dlon, 6))
