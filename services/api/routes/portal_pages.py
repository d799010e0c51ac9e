"""The portal pages: static HTML and ES modules under /portal/, built on the JSON API.

No build step: the files in services/api/portal/ are served as they are.
Each page answer carries a Content-Security-Policy that lets scripts come only
from us and from Stripe.js, so a card form can't be skimmed by injected script.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from shared.config import app_settings, stripe_settings

PORTAL_DIR = Path(__file__).resolve().parent.parent / "portal"

router = APIRouter(include_in_schema=False)


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy() -> str:
    """Stripe's documented needs (js.stripe.com scripts and frames, api.stripe.com calls,
    hooks.stripe.com for 3-D Secure) plus, outside production, the local stand-in."""
    stripe = {"https://js.stripe.com", "https://api.stripe.com", "https://hooks.stripe.com"}
    settings = stripe_settings()
    for url in (settings.js_url, settings.api_base):
        origin = _origin(url)
        if origin:
            stripe.add(origin)
    if not app_settings().is_production:
        # A practice may point at its own stand-in on another local port (tests, the demo).
        stripe.update({"http://127.0.0.1:*", "http://localhost:*"})
    allowed = " ".join(sorted(stripe))
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {allowed}",
            f"connect-src 'self' {allowed}",
            f"frame-src 'self' blob: {allowed}",
            "img-src 'self' data: blob: https://*.stripe.com",
            "style-src 'self'",
            "object-src 'self' blob:",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class PortalFiles(StaticFiles):
    """Static files with the headers a payment page wants."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        policy = content_security_policy().encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", policy),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    # Pages change with deploys; revalidate instead of serving a stale module graph.
                    (b"cache-control", b"no-cache"),
                ]
                message["headers"] = headers
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


@router.get("/portal")
def portal_root() -> RedirectResponse:
    return RedirectResponse("/portal/", status_code=308)


router.mount("/portal", PortalFiles(directory=PORTAL_DIR, html=True), name="portal")
