"""The Stripe webhook receiver: verify, store, acknowledge. A relay dispatches stored events."""
