"""What the platform's operator sees: practices and how their machinery runs — counts and health only."""
