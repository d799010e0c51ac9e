"""Staff alerts: what a practice's staff must act on (see service.py)."""
