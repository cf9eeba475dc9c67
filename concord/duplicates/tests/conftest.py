"""Duplicate-check fixtures."""

import pytest


@pytest.fixture
def town_dispatcher(county, django_user_model):
    """A dispatcher of 百官街道's center: sees 百官's cases, not 曹娥's."""
    from concord.cases.tests.factories import organisation

    return django_user_model.objects.create_user(
        "baiguan-dispatcher", organisation=organisation("town-330604001"), role="dispatcher"
    )
