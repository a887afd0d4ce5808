"""Tool adapters, one module per tool; see base.py for the interface they implement."""
