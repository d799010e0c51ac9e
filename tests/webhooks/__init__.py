"""The Stripe webhook receiver, relay and event worker, end to end."""
