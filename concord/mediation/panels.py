"""What the 调解 card shows after a mediation ended, for the user looking at it: the agreement
with its forms (make it, record its effect, upload the signed scan, apply for judicial
confirmation, record the ruling), the chain stepper and the way to court."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from concord.accounts.models import User
from concord.accounts.permissions import can_reveal_pii
from concord.cases.models import Case

from .agreements import agreement_of
from .chain import Chain, case_chain, confirmation_of
from .choices import AgreementKind, Route
from .confirmation import can_rule, window_due
from .forms import AgreementForm, ConfirmationForm, EffectForm, LitigationForm, RulingForm, ScanForm
from .models import Agreement, Confirmation, LitigationReferral, Mediation
from .services import can_mediate


@dataclass
class AgreementPanel:
    agreement: Agreement | None
    can_download: bool
    form: AgreementForm | None = None
    effect_form: EffectForm | None = None
    scan_form: ScanForm | None = None
    confirmation: Confirmation | None = None
    window_due: dt.datetime | None = None
    days_left: int | None = None
    confirmation_form: ConfirmationForm | None = None
    ruling_form: RulingForm | None = None


def agreement_panel(mediation: Mediation, user: User) -> AgreementPanel:
    """The agreement block of a succeeded mediation."""
    can_act = can_mediate(user, mediation.case, mediation)
    agreement = agreement_of(mediation)
    panel = AgreementPanel(agreement, can_download=can_reveal_pii(user))
    if agreement is None:
        if can_act:
            panel.form = AgreementForm(mediation=mediation)
        return panel
    if can_act and agreement.kind == AgreementKind.WRITTEN:
        panel.scan_form = ScanForm(agreement=agreement)
    if not agreement.is_effective:
        if can_act:
            panel.effect_form = EffectForm(agreement=agreement)
        return panel
    panel.confirmation = confirmation_of(mediation)
    if panel.confirmation is None:
        panel.window_due = window_due(agreement)
        days = (timezone.localdate(panel.window_due) - timezone.localdate()).days
        panel.days_left = days
        if can_act and days >= 0:
            panel.confirmation_form = ConfirmationForm(agreement=agreement)
    elif not panel.confirmation.ruling and can_rule(user, panel.confirmation):
        panel.ruling_form = RulingForm(confirmation=panel.confirmation)
    return panel


@dataclass
class ChainPanel:
    chain: Chain
    referrals: list[LitigationReferral]
    form: LitigationForm | None


def chain_panel(case: Case, mediations: Sequence[Mediation], user: User) -> ChainPanel | None:
    """The stepper and the referrals to court, once the case has been mediated or referred;
    the litigation form when mediation did not settle it and the user may act."""
    referrals = list(case.litigation_referrals.select_related("court", "aid_org"))
    if not mediations and not referrals:
        return None
    chain = case_chain(case, mediations, referrals)
    taken = {r.route for r in referrals}
    form = None
    if (
        chain.basis is not None
        and Route.LITIGATION not in taken
        and can_mediate(user, case, chain.basis)
    ):
        form = LitigationForm(case_id=case.pk)
        if Route.GUIDED in taken:
            form.fields["route"].choices = [(Route.LITIGATION.value, Route.LITIGATION.label)]
            form.fields["route"].initial = Route.LITIGATION
    return ChainPanel(chain, referrals, form)
