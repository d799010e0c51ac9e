"""`Idempotency-Key` on writes a client may retry: the first answer is stored and replayed."""
