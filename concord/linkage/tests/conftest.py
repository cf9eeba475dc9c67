"""A handler at the procuratorate (the demo county has no account there) and helpers to
replay a case's timeline."""

import pytest

from concord.accounts.models import Role, User
from concord.cases.models import Case
from concord.cases.signals import event_recorded
from concord.cases.tests.factories import organisation


@pytest.fixture
def prosecutor(county):
    return User.objects.create_user(
        username="jianchayuan",
        password="x",
        role=Role.HANDLER,
        organisation=organisation("procuratorate"),
        full_name="郑检",
    )


def replay(case: Case) -> None:
    """Send every timeline event of the case again, as a retried job or a second listener
    would."""
    for event in case.events.order_by("created_at", "pk"):
        event_recorded.send(sender=Case, case=case, event=event)
