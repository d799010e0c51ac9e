from tests.factories import CALM_THERAPY_SIGNUP, login, make_operator


def test_operator_logs_in_and_creates_a_practice(http):
    make_operator("ops@example.com", "operator-password-1")
    token = login(http, "ops@example.com", "operator-password-1")
    r = http.post(
        "/v1/groups",
        json=CALM_THERAPY_SIGNUP,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["currency"] == "USD"
    admin = login(http, "admin@calm.example", "admin-password-1")
    settings = http.get("/v1/settings", headers={"Authorization": f"Bearer {admin}"}).json()
    assert settings["name"] == "Calm Therapy"


def test_wrong_password_is_401_and_malformed_json_still_401_without_token(http):
    make_operator("ops@example.com", "operator-password-1")
    r = http.post("/v1/auth/token", data={"username": "ops@example.com", "password": "nope"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_credentials"
    r = http.post("/v1/groups", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 401
