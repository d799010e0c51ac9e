"""Every task module; importing this registers them all."""
