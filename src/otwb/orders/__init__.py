"""O: customer orders -- capture, state machine, cancellation and the order's timeline."""
