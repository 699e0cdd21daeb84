"""W: warehouses, locations, SKUs, stock, allocation, picking, packing and hand-over."""
