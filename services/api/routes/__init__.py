"""Every router the API serves. A new route module is added here and nowhere else."""

from services.api.routes import auth, groups, health

ROUTERS = [health.router, auth.router, groups.router]
