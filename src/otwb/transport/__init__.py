"""T: vehicles, shipments, route planning (PyVRP), dispatch and proof of delivery."""
