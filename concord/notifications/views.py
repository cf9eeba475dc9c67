"""The notifications page and marking notifications read. A user only ever sees their own."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from . import services
from .models import Notification


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(user=request.user).select_related("case")
    page = Paginator(notifications, settings.CONCORD["PAGE_SIZE"]).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def read_one(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one notification read and open what it is about."""
    notification = get_object_or_404(
        Notification.objects.only("id", "case_id"), pk=notification_id, user=request.user
    )
    services.mark_read(request.user, [notification.pk])
    if notification.case_id:
        return redirect("cases:detail", case_id=notification.case_id)
    return redirect("notifications:list")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    changed = services.mark_read(request.user)
    if changed:
        messages.success(request, gettext("已全部标为已读"))
    return redirect("notifications:list")
