"""Payment reminders: on the practice's schedule, inside its waking hours, until the client pays or opts out."""
