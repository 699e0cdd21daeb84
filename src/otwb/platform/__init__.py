"""The platform every context stands on: settings, database, unit of work, events, errors."""
