"""Time-driven work: what is due is computed from the database and the clock."""
