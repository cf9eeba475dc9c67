"""Which cases a user may see: their organisation's subtree, checked on every door.

A territorial organisation (center, village committee, grid) sees every case located in its
division subtree; every organisation sees the cases it holds a task for or registered. A case
outside the scope does not exist for that user: lookups answer 404, never 403.
"""

from django.db.models import Q, QuerySet

from concord.accounts.models import User
from concord.core.errors import NotFound
from concord.geo.models import DivisionLevel

from .models import Case, Task


def visible_cases(user: User) -> QuerySet[Case]:
    cases = Case.objects.all()
    if not user.is_authenticated:
        return cases.none()
    org = user.organisation
    if org is None:
        return cases if user.is_superuser else cases.none()
    if org.is_territorial and org.division.level == DivisionLevel.COUNTY:
        return cases
    held = Q(pk__in=Task.objects.filter(organisation=org).values("case_id")) | Q(registered_org=org)
    if not org.is_territorial:
        return cases.filter(held)
    if org.division.level == DivisionLevel.TOWN:
        return cases.filter(Q(town_id=org.division_id) | held)
    return cases.filter(Q(division_id=org.division_id) | held)


def get_visible_case(user: User, case_id: int) -> Case:
    try:
        return visible_cases(user).get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound("事项不存在") from None
