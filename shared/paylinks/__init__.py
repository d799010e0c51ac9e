"""Pay links: a signed link in each invoice email to a pay page for that one invoice, no sign-in."""
