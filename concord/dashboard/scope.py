"""Whose numbers a user may see: the cases of one division subtree inside their own scope.

A county organisation (and a department, whose scope is its own cases) looks at the county or
any town or village of it; a town's organisations at their town and its villages; a village's
at the village. Asking for a division outside one's territory is refused, never answered with
an empty screen that looks like good news.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.accounts.permissions import works_cases
from concord.cases.models import Case
from concord.cases.scope import in_division, visible_cases
from concord.core.errors import Forbidden, InvalidInput
from concord.geo.models import Division, DivisionLevel


def territory(user: User) -> Division:
    """The widest division whose numbers the user may see."""
    org = user.organisation
    if org is not None and org.is_territorial and org.division.level != DivisionLevel.COUNTY:
        return org.division
    # A county's organisations and its departments: their own county (one database may hold
    # several); an account without an organisation: the deployment's county.
    county = org.division.code[:6] if org is not None else settings.CONCORD["COUNTY_CODE"]
    return Division.objects.get(code=county + "000000")


def sees_whole_division(user: User) -> bool:
    """True when the user's visible cases in any division of their territory are all its
    cases (a territorial organisation's, or a superuser's), so figures may come from the
    county-wide rollup; a department sees only the cases it holds."""
    if not works_cases(user):
        return False  # the security administrator and the auditor see no case, not even counted
    org = user.organisation
    return org.is_territorial if org is not None else user.is_superuser


def stats_scope(user: User, code: str | None = None) -> tuple[QuerySet[Case], Division]:
    """The user's visible cases located in division `code` (their territory when empty)."""
    home = territory(user)
    if not code:
        return in_division(visible_cases(user), home), home
    if not (code.isdigit() and len(code) == 12):
        raise InvalidInput({"division": _("区划代码应为12位数字")})
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise InvalidInput({"division": _("区划不存在")})
    if not division.code.startswith(home.prefix):
        raise Forbidden(_("无权查看该区划的数据"), field="division")
    return in_division(visible_cases(user), division), division
