"""B: tariffs, charges accrued from W and T as work happens, and invoices."""
