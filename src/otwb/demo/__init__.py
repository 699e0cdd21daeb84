"""The demo: a regional distributor and a simulated day."""
