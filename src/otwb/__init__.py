"""OTWB: Orders, Transport, Warehouse and Billing for B2B logistics, as one system."""

__version__ = "0.1.0"
