from __future__ import annotations

import pytest

from tests.factories import Practice, make_practice_via_api


@pytest.fixture
def practice(http) -> Practice:
    return make_practice_via_api(http, name="Calm Therapy")


@pytest.fixture
def other_practice(http) -> Practice:
    """A second practice: its ids must answer 404 to the first one's staff."""
    return make_practice_via_api(http, name="Other Practice")
