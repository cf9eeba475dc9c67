"""The 分流规则 pages for dispatchers and the admin: the rule book with each rule's conditions
in words and its routing accuracy, the rule form, enable/disable and delete. Each view parses,
checks, calls `rules.save_rule` / `rules.delete_rule` and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from concord.core.errors import ServiceError
from concord.core.views import redirect_after_post, refused

from .models import RoutingRule
from .rules import delete_rule, save_rule
from .rules_forms import RuleFilterForm, RuleForm
from .services import ROUTERS, describe


def _routers_only(request: HttpRequest) -> None:
    # Other roles do not learn the page exists.
    if request.user.role not in ROUTERS:
        raise Http404


def rule_book() -> QuerySet[RoutingRule]:
    """Every rule with what the list shows, accuracy counted in the same query: by category
    (a parent before its sub-categories, rules without a category first), then place, then
    priority, highest first."""
    return (
        RoutingRule.objects.select_related("category", "division", "lead_org")
        .prefetch_related("assisting_orgs")
        .annotate(
            decided=Count("decisions"),
            kept=Count("decisions", filter=Q(decisions__overridden=False)),
        )
        .order_by(
            Coalesce("category__parent__sort_order", "category__sort_order").asc(nulls_first=True),
            F("category__parent_id").asc(nulls_first=True),
            "category__sort_order",
            F("division_id").asc(nulls_first=True),
            "-priority",
            "name",
        )
    )


def _row(rule: RoutingRule) -> RoutingRule:
    rule.reasons = describe(rule)
    rule.accuracy = round(100 * rule.kept / rule.decided) if rule.decided else None
    return rule


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    _routers_only(request)
    form = RuleFilterForm(request.GET or None)
    rules = rule_book()
    if form.is_bound:
        rules = form.filter(rules) if form.is_valid() else rules.none()
    context = {"form": form, "rules": [_row(r) for r in rules]}
    template = "routing/rules_table.html" if request.htmx else "routing/rules.html"
    return render(request, template, context)


def _edit(request: HttpRequest, rule: RoutingRule | None) -> HttpResponse:
    form = RuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        new = rule is None
        try:
            version = form.cleaned_data["version"]
            saved = save_rule(*form.apply(), actor=request.user, version=version)
        except ServiceError as exc:
            form.place(exc)
        else:
            text = gettext("已添加规则「%(name)s」") if new else gettext("已保存规则「%(name)s」")
            messages.success(request, text % {"name": saved.name})
            return redirect("routing:rules")
    status = 422 if form.errors else 200
    return render(request, "routing/rules_form.html", {"form": form, "rule": rule}, status=status)


@login_required
def rule_new(request: HttpRequest) -> HttpResponse:
    _routers_only(request)
    return _edit(request, None)


@login_required
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    _routers_only(request)
    return _edit(request, get_object_or_404(RoutingRule, pk=rule_id))


@login_required
@require_POST
def rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Enable or disable: the post says which, so a repeated click does not flip it back."""
    _routers_only(request)
    rule = get_object_or_404(RoutingRule, pk=rule_id)
    wanted = request.POST.get("active")
    if wanted not in ("0", "1"):
        return HttpResponse(gettext("请说明启用还是停用"), status=400)
    rule.active = wanted == "1"
    error = None
    try:
        # Only `active` comes from the page, as a state, not a flip: the version read here
        # still refuses an edit saved between this read and the write.
        save_rule(rule, actor=request.user, version=rule.version)
    except ServiceError as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("routing:rules")
    row = _row(rule_book().get(pk=rule_id))
    context = {"rule": row, "error": error}
    return render(request, "routing/rules_row.html", context, status=422 if error else 200)


@login_required
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    _routers_only(request)
    rule = get_object_or_404(RoutingRule, pk=rule_id)
    name = rule.name
    try:
        delete_rule(rule, actor=request.user)
    except ServiceError as exc:
        return refused(request, exc, reverse("routing:rule", kwargs={"rule_id": rule_id}))
    messages.success(request, gettext("已删除规则「%(name)s」") % {"name": name})
    return redirect_after_post(request, reverse("routing:rules"))
