"""群众自助 services: a citizen's submission registered as a case, and finding a case again
by its tracking code and the last four digits of the applicant's phone.

The portal has no login. Cases are registered by a service account, `portal`: a clerk of the
county center that never signs in (no usable password), so the timeline and the statistics
show where the case came from, and the center's clerks find it among their new cases.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.cases.choices import CaseType, Channel, PartyRole
from concord.cases.models import Case
from concord.cases.services import CaseDraft, PartyDraft, register_case
from concord.core.errors import InvalidInput
from concord.geo.models import Division, DivisionLevel
from concord.geo.places import locate
from concord.orgs.models import Organisation, OrgKind

ACCOUNT = "portal"
# What the citizen asks for on the home page. Both are disputes for the center; the request
# for online mediation says so in the title, where the clerk sees it in every list.
DISPUTE, MEDIATION = "dispute", "mediation"
KINDS = (DISPUTE, MEDIATION)
# Fewer letters or digits than this is not a description (a row of emoji, punctuation).
WORDS_MIN = 5
NAME_MARKS = "·•. -"
_LAST4 = re.compile(r"^\d{4}$")


def portal_account() -> User:
    """The portal's service account (created on first use, found again after)."""
    user = User.objects.select_related("organisation__division").filter(username=ACCOUNT).first()
    if user is not None:
        return user
    center = Organisation.objects.filter(kind=OrgKind.COUNTY_CENTER).order_by("pk").first()
    try:
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            User.objects.create(
                username=ACCOUNT,
                full_name=_("群众自助服务"),
                role=Role.CLERK,
                organisation=center,
                password=make_password(None),  # never signs in
                service=True,
            )
    except IntegrityError:
        pass  # created at the same moment by another request
    return User.objects.select_related("organisation__division").get(username=ACCOUNT)


def words(text: str) -> int:
    """How many letters and digits `text` holds (Chinese characters are letters; emoji,
    punctuation and spaces are not)."""
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def description_problem(text: str) -> str | None:
    if words(text or "") < WORDS_MIN:
        return _("请用文字说明您遇到的问题（至少%(n)d个字）") % {"n": WORDS_MIN}
    return None


def name_problem(name: str) -> str | None:
    """A person's name: letters, with the middle dot of minority and foreign names."""
    name = (name or "").strip()
    allowed = (unicodedata.category(ch)[0] in "LM" or ch in NAME_MARKS for ch in name)
    if not words(name) or not all(allowed):
        return _("姓名只能包含文字（可含间隔号“·”）")
    return None


@dataclass
class Submission:
    """What the citizen filled in; the form has checked each field's shape."""

    kind: str
    description: str
    name: str
    phone: str
    consent: bool
    id_number: str = ""
    category: str = ""
    town: str = ""
    village: str = ""
    address: str = ""


def submit(*, submission: Submission) -> Case:
    """Register the citizen's matter as a case from the portal channel.

    1. The rules the registration does not know: consent to the processing of personal
       information (PIPL art. 14), a phone to answer on, a description in words.
    2. The place: the village picked, else the town picked and the village the address names
       inside it, else whatever the address names, else the county (the text is kept).
    3. `register_case` as the portal's account checks the rest (phone and ID number formats,
       lengths, the category) and writes the case, its applicant and its event.
    """
    s = submission
    errors: dict[str, str] = {}
    if not s.consent:
        errors["consent"] = _("请阅读并勾选同意个人信息处理说明后再提交")
    if s.kind not in KINDS:
        errors["kind"] = _("请选择反映矛盾纠纷或申请在线调解")
    if not s.phone.strip():
        errors["phone"] = _("请填写联系电话，以便工作人员联系您")
    if problem := description_problem(s.description):
        errors["description"] = problem
    if problem := name_problem(s.name):
        errors["name"] = problem
    division = _place(s, errors)
    if errors:
        raise InvalidInput(errors)
    description = s.description.strip()
    title = ""
    if s.kind == MEDIATION:
        # Written for the center's staff: in the center's language, whatever the visitor's.
        with translation.override(settings.LANGUAGE_CODE):
            title = _("【申请在线调解】%(text)s") % {"text": description[:30]}
    draft = CaseDraft(
        type=CaseType.DISPUTE,
        channel=Channel.PORTAL,
        title=title,
        description=description,
        category=s.category,
        division=division,
        address=s.address.strip(),
        parties=[
            PartyDraft(
                role=PartyRole.APPLICANT,
                name=s.name.strip(),
                id_number=s.id_number.strip(),
                phone="".join(s.phone.split()),
            )
        ],
    )
    return register_case(actor=portal_account(), draft=draft)


def _place(s: Submission, errors: dict[str, str]) -> str:
    """The most precise division code known for the submission ('' for the county)."""
    if s.village:
        village = Division.objects.filter(code=s.village, level=DivisionLevel.VILLAGE).first()
        if village is None or (s.town and village.town_code != s.town):
            errors["village"] = _("所选村（社区）不属于所选乡镇（街道），请重新选择")
            return ""
        return village.code
    if s.town and not Division.objects.filter(code=s.town, level=DivisionLevel.TOWN).exists():
        errors["town"] = _("所选乡镇（街道）不存在，请重新选择")
        return ""
    place = locate(s.address) if s.address.strip() else None
    if s.town:
        if place and place.town == s.town and place.village:
            return place.village
        return s.town
    return (place.division or "") if place else ""


def find_case(code: str, last4: str) -> Case | None:
    """The case with this tracking code whose applicant's phone ends in `last4`, or None.

    None whatever was wrong (no such code, another person's code, a wrong number), so the
    answer tells nobody which codes exist. Phones are encrypted: the few applicants of the
    one case are compared after decrypting, in constant time."""
    code = (code or "").strip().upper()
    if not code or len(code) > 20 or not _LAST4.match(last4 or ""):
        return None
    case = (
        Case.objects.select_related("lead_org", "category")
        .filter(tracking_code=code)
        .prefetch_related("parties")
        .first()
    )
    if case is None:
        return None
    found = False
    for party in case.parties.all():
        if party.role != PartyRole.APPLICANT:
            continue
        digits = re.sub(r"\D", "", party.phone or "")
        if len(digits) >= 4 and hmac.compare_digest(digits[-4:], last4):
            found = True
    return case if found else None
