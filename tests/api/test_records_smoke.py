from tests.factories import give_portal_access, make_billable_services_via_api, make_practice_via_api


def test_a_practice_sets_up_records_end_to_end(http):
    practice = make_practice_via_api(http)
    setup = make_billable_services_via_api(http, practice, count=2)
    assert len(setup["services"]) == 2
    assert setup["services"][0]["amount_cents"] == 12_000
    assert setup["services"][0]["status"] == "uninvoiced"
    token = give_portal_access(http, practice, setup["client"]["id"])
    assert token.startswith("cpt_")
