"""评价回访与考核 pages: the case card's forms (staff rating, review decision, visit record),
the citizen's rating page behind a signed link, the visits an organisation owes, and the
ranking with its XLSX export. Each view parses, checks, calls one service and renders."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from concord.accounts.models import User
from concord.accounts.permissions import SUPERVISE_ROLES
from concord.audit.models import AuditAction
from concord.audit.models import record as audit
from concord.cases.choices import CaseStatus
from concord.cases.models import Case
from concord.cases.scope import case_or_404, visible_cases
from concord.core.errors import InvalidInput, ServiceError
from concord.core.views import case_url, form_refused, redirect_after_post

from . import assessment
from .choices import Kpi, RatingChannel, ReviewStatus
from .forms import CitizenRatingForm, RankingForm, ReviewForm, StaffRatingForm, VisitForm
from .models import FollowUpVisit, Rating, Review
from .ratings import (
    can_decide,
    case_for_token,
    decide_review,
    rate_case,
    rated_this_round,
    rating_token,
)
from .visits import CENTER_ROLES, can_record, record_visit, visits_to_do

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_MAX = 200


def can_assess(user: User) -> bool:
    return user.is_authenticated and user.role in SUPERVISE_ROLES


def _review_of(rating: Rating) -> Review | None:
    try:
        return rating.review
    except Review.DoesNotExist:
        return None


def case_card(case: Case, user: User, request: HttpRequest) -> dict:
    """What the 评价回访 card shows this user (three queries): the ratings of each round with
    their reviews (a decision form for the dispatcher), the rating form and the citizen's
    link while the case waits for its rating, the visits with a record form for those who
    may record them, and the case a relapse came from."""
    ratings = list(case.ratings.select_related("recorded_by", "review__decided_by"))
    reviews = [(rating, _review_of(rating)) for rating in ratings]
    visits = list(
        case.follow_up_visits.select_related(
            "organisation", "done_by", "relapse", "deadline"
        ).order_by("-round", "number")
    )
    relapse_of = FollowUpVisit.objects.filter(relapse=case).select_related("case").first()
    awaiting = case.status == CaseStatus.RESOLVED and not any(
        r.round == case.reopen_count for r in ratings
    )
    open_review = next((rv for _, rv in reviews if rv and rv.status == ReviewStatus.OPEN), None)
    staff = user.role in CENTER_ROLES
    sends_link = awaiting and (staff or user.organisation_id == case.lead_org_id)
    link = None
    if sends_link:
        link = request.build_absolute_uri(reverse("evaluation:rate", args=[rating_token(case)]))
    loop = bool(ratings or visits) or case.status in (
        CaseStatus.RESOLVED,
        CaseStatus.RATED,
        CaseStatus.ARCHIVED,
    )
    return {
        "case": case,
        "show": loop or relapse_of is not None,
        # A case still being handled shows only where it came from.
        "loop": loop,
        "reviews": reviews,
        "open_review": open_review,
        "review_form": ReviewForm()
        if open_review and can_decide(user) and case.status != CaseStatus.ARCHIVED
        else None,
        "rating_form": StaffRatingForm() if awaiting and staff else None,
        "rating_link": link,
        "visits": [
            (v, VisitForm(prefix=f"visit-{v.pk}") if can_record(v, user) else None) for v in visits
        ],
        "relapse_of": relapse_of,
        "current_round": case.reopen_count,
    }


def _submit(
    request: HttpRequest,
    form,
    act: Callable[[], str],
    template: str,
    context: dict,
    back: str,
) -> HttpResponse:
    """Run `act` on a valid form and go `back` with its message; else the form comes back
    with the service's errors beside its fields."""
    if form.is_valid():
        try:
            done = act()
        except InvalidInput as exc:
            form.place_errors(exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done)
            return redirect_after_post(request, back)
    return form_refused(request, form, template, {**context, "form": form}, back)


@login_required
@require_POST
def rate_staff(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    form = StaffRatingForm(request.POST)

    def act() -> str:
        rating = rate_case(case, actor=request.user, **form.cleaned_data)
        return gettext("已记录群众评价：%(satisfaction)s") % {
            "satisfaction": rating.get_satisfaction_display()
        }

    context = {"case": case}
    return _submit(request, form, act, "evaluation/_rating_form.html", context, case_url(case.pk))


@login_required
@require_POST
def decide(request: HttpRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(Review, pk=review_id)
    case = case_or_404(request, review.case_id)
    form = ReviewForm(request.POST)

    def act() -> str:
        decided = decide_review(review, actor=request.user, **form.cleaned_data)
        return gettext("已处理不满意复核：%(decision)s") % {
            "decision": decided.get_decision_display()
        }

    context = {"case": case, "review": review}
    return _submit(request, form, act, "evaluation/_review_form.html", context, case_url(case.pk))


@login_required
@require_POST
def record(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = get_object_or_404(FollowUpVisit.objects.select_related("organisation"), pk=visit_id)
    case = case_or_404(request, visit.case_id)
    form = VisitForm(request.POST, prefix=f"visit-{visit.pk}")

    def act() -> str:
        done = record_visit(visit, actor=request.user, **form.params())
        text = gettext("已记录第%(number)d次回访") % {"number": done.number}
        if done.relapse:
            text += gettext("；发现反复，已登记新事项 %(code)s") % {
                "code": done.relapse.tracking_code
            }
        return text

    context = {"case": case, "visit": visit}
    return _submit(request, form, act, "evaluation/_visit_form.html", context, case_url(case.pk))


def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The citizen's rating page: no login, the signed link is the key. A link that is
    tampered with, expired or already used changes nothing and says why."""
    try:
        case = case_for_token(token)
    except ServiceError as exc:
        return render(request, "evaluation/rate.html", {"error": exc.message}, status=exc.status)
    rated = rated_this_round(case)
    form = CitizenRatingForm(request.POST or None)
    error, status = None, 200
    if request.method == "POST":
        if rated:
            error, status = gettext("您已评价过本次办理结果，不能重复评价"), 409
        elif form.is_valid():
            try:
                rate_case(case, channel=RatingChannel.PORTAL, **form.cleaned_data)
            except InvalidInput as exc:
                form.place_errors(exc)
            except ServiceError as exc:
                error, status = exc.message, exc.status
            else:
                return redirect("evaluation:rate", token=token)
        if status == 200:
            status = 422
    elif not rated and case.status != CaseStatus.RESOLVED:
        error = gettext("该事项目前不在待评价状态（%(status)s），暂不能评价") % {
            "status": case.get_status_display()
        }
    context = {"case": case, "form": form, "rated": rated, "error": error}
    return render(request, "evaluation/rate.html", context, status=status)


@login_required
def visits(request: HttpRequest) -> HttpResponse:
    """待回访: the visits the user's organisation owes (center staff: all in scope)."""
    rows = list(visits_to_do(request.user)[:LIST_MAX])
    return render(
        request,
        "evaluation/visits.html",
        {"visits": rows, "all": request.user.role in CENTER_ROLES},
    )


def _ranking(request: HttpRequest):
    if not can_assess(request.user):
        raise Http404
    month = assessment.parse_month(request.GET.get("month"))
    by = assessment.parse_by(request.GET.get("by"))
    return assessment.ranking(visible_cases(request.user), month=month, by=by)


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    form = RankingForm(request.GET or None)
    try:
        result = _ranking(request)
    except InvalidInput as exc:
        context = {"form": form, "errors": exc.errors, "kpis": list(Kpi)}
        return render(request, "evaluation/ranking.html", context, status=400)
    month = f"{result.month:%Y-%m}"
    context = {
        "form": RankingForm({"month": month, "by": result.by}),
        "result": result,
        "kpis": list(Kpi),
        "month": month,
    }
    return render(request, "evaluation/ranking.html", context)


@login_required
def ranking_export(request: HttpRequest) -> HttpResponse:
    try:
        result = _ranking(request)
    except InvalidInput as exc:
        return HttpResponse("；".join(exc.errors.values()), status=400)
    month = f"{result.month:%Y-%m}"
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        detail={"report": "assessment", "month": month, "by": result.by},
    )
    response = HttpResponse(assessment.workbook(result), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="assessment-{month}-{result.by}.xlsx"'
    return response
