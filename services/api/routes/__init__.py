"""Every router the API serves. A new route module is added here and nowhere else."""

from services.api.routes import auth, groups, health
from services.api.routes import api_keys, audit, billing_rates, clients, services, users
from services.api.routes import invoices, invoicing, payments, portal
from services.api.routes import portal_payments, reconciliations, stripe_settings
from services.api.routes import me, portal_pages

ROUTERS = [health.router, auth.router, groups.router,
           users.router, api_keys.router, clients.router, billing_rates.router, services.router, audit.router,
           invoicing.router, invoices.router, payments.router, portal.router,
           stripe_settings.router, portal_payments.router, reconciliations.router,
           me.router, portal_pages.router]
