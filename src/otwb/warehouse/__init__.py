"""W -- warehouse: a WMS for a multi-site distributor of ambient and cold-chain goods.

Rules, pure (no I/O): ``model.py`` (sites, zones, bins, SKUs, stock, fulfilments), ``lots.py``
(lot status, expiry, FEFO/FIFO), ``allocation.py`` (which stock serves an order),
``layout.py`` (racking from a spec), ``pickpath.py`` (walking, S-shape, optimised paths),
``slotting.py`` (putaway, ABC, re-slotting), ``waves.py`` (grouping and carts),
``cartonisation.py`` (boxes), ``sscc.py`` (parcel ids).

Use cases, ``do_thing(uow, ...)``: ``service.py`` (master data, receiving into a bin, stock
queries), ``sites.py`` (zones, layouts, the dock), ``inbound.py`` (ASNs, receiving),
``moves.py`` (putaway and replenishment tasks), ``quality.py`` (lot status, shelf-life rules),
``reservations.py`` (soft holds), ``promises.py`` (the locked book, broken promises),
``fulfilment.py`` (allocate, pick, pack, hand over, release an order), ``picking.py`` (waves,
pick lists, pick tasks, short picks), ``packing.py`` (boxes, SSCCs), ``counts.py`` (cycle
counts, adjustments), ``replenishment.py`` (min/max, transfers, pick faces), ``velocity.py``
(ABC classes, re-slotting).

Records: ``tables.py`` and ``work_tables.py``, read and written by the ``*_repo.py`` modules.
Edges: ``api*.py`` (HTTP), ``cli*.py`` (``otwb wh``), ``events.py``, ``handlers.py``.
"""
