"""Reading instances back from every tool: one collection, tracking existing work, incremental reads."""
