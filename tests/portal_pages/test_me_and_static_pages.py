"""GET /v1/me tells the pages who is signed in; /portal/ serves the pages with a strict policy."""

from __future__ import annotations

from tests.factories import auth, give_portal_access, make_client_via_api, make_practice_via_api


def test_me_names_the_role_and_the_practice_conventions(http):
    practice = make_practice_via_api(http, name="Calm Therapy", currency="EUR", timezone="Europe/Paris")
    me = http.get("/v1/me", headers=practice.biller).json()
    assert (me["email"], me["role"], me["group_id"], me["client_id"]) == (
        practice.biller_email,
        "biller",
        practice.group_id,
        None,
    )
    assert (me["group_name"], me["currency"], me["timezone"]) == ("Calm Therapy", "EUR", "Europe/Paris")

    client = make_client_via_api(http, practice, name="Robin Client", email="robin@example.com")
    token = give_portal_access(http, practice, client["id"], email="robin@example.com")
    me = http.get("/v1/me", headers=auth(token)).json()
    assert (me["role"], me["client_id"], me["currency"], me["timezone"]) == (
        "client",
        client["id"],
        "EUR",
        "Europe/Paris",
    )

    operator = http.get("/v1/me", headers=practice.operator).json()
    assert (operator["role"], operator["group_id"], operator["currency"]) == ("operator", None, None)


def test_me_without_credentials_is_401(http):
    r = http.get("/v1/me")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"
    r = http.get("/v1/me", headers=auth("cp_at_not-a-real-token"))
    assert r.status_code == 401


def test_portal_serves_its_pages_with_a_content_security_policy(http):
    r = http.get("/portal", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == "/portal/"
    r = http.get("/portal/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="js/app.js">' in r.text
    policy = r.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "https://js.stripe.com" in policy
    assert "frame-ancestors 'none'" in policy
    assert r.headers["x-content-type-options"] == "nosniff"
    module = http.get("/portal/js/api.js")
    assert module.status_code == 200 and "javascript" in module.headers["content-type"]
    assert http.get("/portal/js/nope.js").status_code == 404


def test_a_client_token_reaches_only_client_pages(http):
    practice = make_practice_via_api(http)
    client = make_client_via_api(http, practice)
    token = give_portal_access(http, practice, client["id"])
    assert http.get("/v1/invoicing/queue", headers=auth(token)).status_code == 403
    assert http.get("/v1/portal/summary", headers=auth(token)).status_code == 200


def test_docs_load_swagger_ui_from_this_api_not_a_cdn(http):
    import re

    from tests.security.review import record_finding

    page = http.get("/docs")
    assert page.status_code == 200, page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/docs/assets/") for a in assets), assets
    assert "cdn" not in page.text and "https://" not in page.text.split("<body>")[0]
    types = {}
    for asset in assets:
        r = http.get(asset)
        assert r.status_code == 200 and len(r.content) > 500, asset
        types[asset.rsplit(".", 1)[-1]] = r.headers["content-type"]
    assert "swagger" in http.get("/docs/assets/swagger-ui-bundle.js").text[:2000].lower()
    assert http.get("/docs/oauth2-redirect").status_code == 200
    record_finding(
        "docs_offline",
        "8. Offline docs",
        "GET /docs, then every script and stylesheet it names",
        f"all from /docs/assets ({', '.join(sorted(types))}), none from a CDN",
    )
