"""Code the clinicpay services share: settings, database, domain rules, Stripe gateway."""
