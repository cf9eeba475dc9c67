"""Which cases a user may see: their organisation's subtree, checked on every door.

A territorial organisation (center, village committee, grid) sees every case located in its
division subtree; every organisation sees the cases it holds a task for, registered, or was
brought into (`grant_access`: summoned, invited, handed over). A case outside the scope does
not exist for that user: lookups answer 404, never 403.
"""

from collections.abc import Iterable

from django.apps import apps
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.accounts.permissions import works_cases
from concord.core.errors import NotFound
from concord.geo.models import Division, DivisionLevel
from concord.orgs.models import Organisation

from .models import Case, CaseAccess, CaseEvent, Party, Task


def visible_cases(user: User) -> QuerySet[Case]:
    cases = Case.objects.all()
    if not works_cases(user):  # 三员分立: the security administrator and the auditor see none
        return cases.none()
    # An external system acts as a clerk of the county center, but sees only the cases it
    # sent: those whose source is its code (the API's key check marks the account).
    if (system := getattr(user, "acting_system", None)) is not None:
        return cases.filter(source=system.code)
    org = user.organisation
    if org is None:
        return cases if user.is_superuser else cases.none()
    if org.is_territorial and org.division.level == DivisionLevel.COUNTY:
        return in_division(cases, org.division)  # its county, not every county in the database
    # EXISTS per case, not `pk IN (…)`: an IN list under an OR makes PostgreSQL hash every
    # case the organisation ever held before answering even a lookup of one case.
    held = (
        Q(Exists(Task.objects.filter(organisation=org, case=OuterRef("pk"))))
        | Q(registered_org=org)
        | Q(Exists(CaseAccess.objects.filter(organisation=org, case=OuterRef("pk"))))
    )
    if not org.is_territorial:
        return cases.filter(held)
    if org.division.level == DivisionLevel.TOWN:
        return cases.filter(Q(town_id=org.division_id) | held)
    return cases.filter(Q(division_id=org.division_id) | held)


def in_division(cases: QuerySet[Case], division: Division) -> QuerySet[Case]:
    """The cases located in the division's subtree."""
    if division.level == DivisionLevel.TOWN:
        return cases.filter(town_id=division.code)
    if division.level == DivisionLevel.VILLAGE:
        return cases.filter(division_id=division.code)
    # A county: a range of the 12-digit codes, which the division index answers.
    low, high = division.prefix + "0" * 6, division.prefix + "9" * 6
    return cases.filter(division_id__gte=low, division_id__lte=high)


def grant_access(case: Case, organisations: Iterable[Organisation], reason: str) -> None:
    """Let these organisations see the case from now on (a second grant changes nothing)."""
    CaseAccess.objects.bulk_create(
        [CaseAccess(case=case, organisation=org, reason=reason) for org in organisations],
        ignore_conflicts=True,
    )


def get_visible_case(user: User, case_id: int) -> Case:
    return _get(visible_cases(user), case_id, _("事项不存在"))


def case_or_404(request: HttpRequest, case_id: int) -> Case:
    """The pages' door: the visible case, or the same 404 page as for a missing one."""
    try:
        return get_visible_case(request.user, case_id)
    except NotFound:
        raise Http404(_("事项不存在")) from None


def get_visible_case_with_history(user: User, case_id: int) -> Case:
    """A visible case with what its page and its API answer show: parties, tasks, timeline."""
    cases = (
        visible_cases(user)
        .select_related("category__parent", "division", "town", "lead_org", "registered_by")
        .prefetch_related(
            "parties",
            "tasks__organisation",
            Prefetch("events", CaseEvent.objects.select_related("actor", "actor_org")),
            # With what the case page's deadline card shows of each node.
            Prefetch(
                "deadlines",
                apps.get_model("deadlines", "Deadline").objects.select_related(
                    "node", "task__organisation"
                ),
            ),
        )
    )
    return _get(cases, case_id, _("事项不存在"))


def get_visible_party(user: User, case_id: int, party_id: int) -> Party:
    case = get_visible_case(user, case_id)
    return _get(Party.objects.filter(case=case).select_related("case"), party_id, _("当事人不存在"))


def _get(queryset: QuerySet, pk: int, message: str):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(message) from None
