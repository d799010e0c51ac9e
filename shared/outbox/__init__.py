"""The outbox: every message clinicpay sends (email now), one row each, written in the transaction
that causes it and delivered by the worker (shared/jobs/delivery.py) — once in effect, with the
same Message-ID on every attempt. Nothing clinical is ever in a row or a message (schemas.py)."""
