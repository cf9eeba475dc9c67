"""Who may use each endpoint: the table test_authz_matrix.py checks every URL against.

One entry per URL name (pages, `namespace:name`) or API operation (`METHOD /api/v1/path`).
`allow` names roles (concord.accounts.models.Role values), principals by name (`court`) or
one of PUBLIC (anyone, signed in or not) and ANY_USER (every signed-in role, new roles
included). Everyone else must be refused: 302 to the login page or 401 when anonymous, 403 or
404 when signed in. `scoped` rules also refuse the foreign principals (another town's or
department's people) whatever their role: the object belongs to a case they cannot see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from concord.accounts.models import Role

PUBLIC = "*public*"
ANY_USER = "*any user*"
ANONYMOUS = "anonymous"
SYSTEM = "system"  # a connected system's key (X-API-Key, Open311 api_key), no session

# The demo account acting for each role; a role without one gets a user of the county center.
HOME = {
    Role.ADMIN: "admin",
    Role.CLERK: "clerk",
    Role.DISPATCHER: "dispatcher",
    Role.LEADER: "leader",
    Role.HANDLER: "baiguan",
    Role.MEDIATOR: "mediator",
    Role.GRID: "grid",
    "security_admin": "secadmin",
    "auditor": "auditor",
}
# Outside the case's scope: (role, organisation code). 曹娥街道 is the neighbouring town; the
# court and 人社局 are departments the case never reached.
FOREIGN = {
    "caoe": (Role.HANDLER, "town-330604002"),
    "caoe_leader": (Role.LEADER, "town-330604002"),
    "hrss": (Role.HANDLER, "hrss"),
}

# Principals for what only some people of a role do: the court's liaison (a handler) refers
# cases, uploads batches and answers summonses of the court.
EXTRA = {"court": "court"}


@dataclass(frozen=True)
class Rule:
    allow: frozenset[str] = frozenset()
    scoped: bool = True
    method: str = ""  # "POST" for pages that take only POST
    data: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)  # URL parameters other than the world's
    # Statuses that are this endpoint's answer, not a refusal (a wrong password's 401).
    answers: frozenset[int] = frozenset()
    query: dict = field(default_factory=dict)


def rule(
    *allow: str,
    scoped: bool = True,
    post: bool = False,
    answers: tuple[int, ...] = (),
    query: dict | None = None,
    **kwargs,
) -> Rule:
    """`kwargs`: URL parameters of this route other than the world's ("{name}" names one of
    the world's values); `query`: the query string a GET sends."""
    return Rule(
        frozenset(allow),
        scoped,
        "POST" if post else "",
        {},
        kwargs,
        frozenset(answers),
        query or {},
    )


def only(name: str) -> str:
    """One principal by name, not everyone of its role: `only("court")`, `only(Role.HANDLER)`
    (the handler of the organisation leading the case, not the court's liaison)."""
    return f"@{name}"


def principals_allowed(entry: Rule, principals: Iterable) -> set[str]:
    """The names of the principals the entry lets through."""

    def may(p) -> bool:
        if PUBLIC in entry.allow:
            return True
        if p.name == ANONYMOUS or (p.foreign and entry.scoped):
            return False
        if ANY_USER in entry.allow and p.role in Role.values:
            return True
        return only(p.name) in entry.allow or p.role in entry.allow

    return {p.name for p in principals if may(p)}


# ------------------------------------------------------------------ role groups (spelled out:
# the table is a second statement of the rules, not a copy of the sets the code uses)

C, D, H, M, G, L, A = (
    Role.CLERK,
    Role.DISPATCHER,
    Role.HANDLER,
    Role.MEDIATOR,
    Role.GRID,
    Role.LEADER,
    Role.ADMIN,
)
CASES = (C, D, H, M, G, L, A)  # the roles that work with cases (not the security admin, auditor)
REGISTER = (C, D, G, A)
EXPORT = (C, D, H, M, L, A)  # the grid takes no spreadsheets of cases away
REVEAL = (C, D, H, M, A)  # full ID numbers and phones (PIPL art. 51)
SUPERVISE = (D, L, A)
ROUTE = (D, A)
FRONT = (C, D, A)  # the center's window and command room
# Who organises a case's mediation, 3+X and litigation step: the command room, and the handler
# of the organisation leading it (not every handler).
ORGANISE = (D, A, only(H))
MEDIATE = (*ORGANISE, only(M))  # and the mediator sitting on the mediation


PAGES: dict[str, Rule] = {
    # The case desk.
    "cases:inbox": rule(ANY_USER, scoped=False),  # each role lands on its own home page
    "cases:list": rule(*CASES, scoped=False),
    "cases:archive": rule(*CASES, scoped=False),
    "cases:export": rule(*EXPORT, scoped=False),
    "cases:intake": rule(*REGISTER, scoped=False),
    "cases:detail": rule(*CASES),
    "cases:act": rule(*CASES, post=True),  # the lifecycle decides each action
    "cases:attachment": rule(*CASES),
    "cases:reveal": rule(*REVEAL, post=True),
    # Accounts: every signed-in user's own; the lockouts are the security administrator's.
    "accounts:login": rule(PUBLIC),
    "accounts:logout": rule(post=True),  # everyone ends on the login page
    "accounts:backup_codes": rule(ANY_USER, scoped=False, post=True),
    "accounts:lockouts": rule(Role.SECURITY_ADMIN, scoped=False),
    "accounts:otp_disable": rule(ANY_USER, scoped=False, post=True),
    "accounts:otp_enrol": rule(ANY_USER, scoped=False),
    "accounts:otp_verify": rule(ANY_USER, scoped=False),
    "accounts:password_change": rule(ANY_USER, scoped=False),
    "accounts:security": rule(ANY_USER, scoped=False),
    "<unnamed /admin/login/>": rule(),  # hands everyone to the accounts login
    # The audit log: the auditor's alone.
    "audit:search": rule(Role.AUDITOR, scoped=False),
    "audit:export": rule(Role.AUDITOR, scoped=False, kind="csv"),
    "audit:access": rule(Role.AUDITOR, scoped=False),
    "audit:access_export": rule(Role.AUDITOR, scoped=False, post=True, kind="csv"),
    "notifications:list": rule(ANY_USER, scoped=False),
    "notifications:read": rule(only(D), post=True),  # the dispatcher's own notification
    "notifications:read_all": rule(ANY_USER, scoped=False, post=True),
    "geo:county_geojson": rule(*CASES, scoped=False),
    "geo:village_options": rule(*CASES, scoped=False),
    # Deadlines.
    "deadlines:overdue": rule(D, H, L, A, scoped=False),
    "deadlines:ask_extension": rule(*CASES, post=True),
    "deadlines:decide_extension": rule(*CASES, post=True),
    "deadlines:supervise": rule(*CASES, post=True),
    "deadlines:letter": rule(*CASES),
    # Routing.
    "routing:rules": rule(*ROUTE, scoped=False),
    "routing:rule_new": rule(*ROUTE, scoped=False),
    "routing:rule": rule(*ROUTE, scoped=False),
    "routing:rule_toggle": rule(*ROUTE, scoped=False, post=True),
    "routing:rule_delete": rule(*ROUTE, scoped=False, post=True),
    "routing:queue": rule(*ROUTE, scoped=False),
    "routing:queue_route": rule(*ROUTE, scoped=False, post=True),
    "routing:pingpong": rule(*ROUTE, scoped=False),
    "routing:grid_report": rule(G, scoped=False),
    # Mediation.
    "mediation:mediators": rule(D, M, A, scoped=False),
    "mediation:mediator_new": rule(D, A, scoped=False),
    "mediation:mediator_edit": rule(D, A, scoped=False),
    "mediation:start": rule(*CASES, post=True),
    "mediation:schedule": rule(*CASES, post=True),
    "mediation:finish": rule(*CASES, post=True),
    "mediation:session_record": rule(*CASES, post=True),
    "mediation:agreement": rule(*CASES, post=True),
    "mediation:agreement_document": rule(*REVEAL),
    "mediation:agreement_effective": rule(*CASES, post=True),
    "mediation:scan": rule(*REVEAL),  # the signed scan shows full personal data
    "mediation:confirmation": rule(*CASES, post=True),
    "mediation:ruling": rule(*CASES, post=True),
    "mediation:litigation": rule(*CASES, post=True),
    # Summons (吹哨报到).
    "summons:mine": rule(*CASES, scoped=False),
    "summons:timeliness": rule(*SUPERVISE, scoped=False),
    "summons:summon": rule(*CASES, post=True),
    "summons:acknowledge": rule(*CASES, post=True),
    "summons:arrive": rule(*CASES, post=True),
    # Court referrals: the court's liaison refers and uploads; batches are the uploader's.
    "courts:referrals": rule(*CASES, scoped=False),
    "courts:new": rule(D, A, only("court"), scoped=False),
    "courts:upload": rule(D, A, only("court"), scoped=False),
    "courts:batch": rule(only("court"), scoped=False),
    "courts:confirm": rule(only("court"), scoped=False, post=True),
    "courts:template": rule(*CASES, scoped=False, kind="csv"),
    "courts:record": rule(*CASES),
    "courts:extend": rule(*CASES, post=True),
    "courts:result": rule(*CASES, post=True),
    # 3+X consultations and joint receptions.
    "consultations:list": rule(*CASES, scoped=False),
    "consultations:schedule": rule(*CASES, post=True),
    "consultations:reception": rule(*CASES, post=True),
    "consultations:minutes": rule(*CASES, post=True),
    "consultations:document": rule(*CASES),
    "consultations:done": rule(*CASES, post=True),
    # Petition agency.
    "agency:mine": rule(*CASES, scoped=False),
    "agency:assign": rule(*CASES, post=True),
    "agency:errand": rule(*CASES, post=True),
    "agency:finish": rule(*CASES, post=True),
    # Five-way linkage.
    "linkage:report": rule(*SUPERVISE, only(M), only("court"), scoped=False),  # and partners
    "linkage:hand_over": rule(*CASES, post=True),
    "linkage:record_return": rule(*CASES, post=True),
    # Appointments: desks, not cases.
    "appointments:desk": rule(*CASES, scoped=False),
    "appointments:book": rule(*CASES, scoped=False, post=True),
    "appointments:cancel": rule(*CASES, scoped=False, post=True),
    "appointments:mark": rule(*CASES, scoped=False, post=True),
    # Evaluation.
    "evaluation:ranking": rule(*SUPERVISE, scoped=False),
    "evaluation:ranking_export": rule(*SUPERVISE, scoped=False),
    "evaluation:visits": rule(*CASES, scoped=False),
    "evaluation:record": rule(*CASES, post=True),
    "evaluation:rate_staff": rule(*CASES, post=True),
    "evaluation:decide": rule(*CASES, post=True),
    "evaluation:rate": rule(PUBLIC),  # the citizen's signed rating link
    # Statistics.
    "dashboard:dashboard": rule(*CASES, scoped=False),
    "dashboard:screen": rule(*CASES, scoped=False),
    "dashboard:kpis": rule(*CASES, scoped=False),
    "dashboard:volume": rule(*CASES, scoped=False),
    "dashboard:forecast": rule(*CASES, scoped=False),
    "dashboard:reports": rule(*SUPERVISE, scoped=False),
    "dashboard:report_file": rule(*SUPERVISE, kind="xlsx"),  # a report of 百官
    # Integrations and imports.
    "integrations:deliveries": rule(D, A, scoped=False),
    "integrations:resend": rule(D, A, scoped=False, post=True),
    "integrations:feedback_export": rule(D, A, scoped=False),
    "imports:jobs": rule(*FRONT, scoped=False),
    "imports:template": rule(*FRONT, scoped=False, kind="csv"),
    "imports:job": rule(D, A, scoped=False),  # the uploader's (the dispatcher) and the admin's
    "imports:start": rule(D, A, scoped=False, post=True),
    "imports:retry": rule(D, A, scoped=False, post=True),
    "imports:report": rule(D, A, scoped=False, kind="csv"),
    # Triage, risk, duplicates.
    "triage:suggestions": rule(*REGISTER, scoped=False, post=True),
    "triage:accuracy": rule(*ROUTE, scoped=False),
    "risk:warnings": rule(*SUPERVISE, scoped=False),
    "risk:close": rule(*SUPERVISE, post=True),
    # Risk letters: supervisors write them; the addressee (百官's center) replies.
    "risk:letters": rule(*CASES, scoped=False),
    "risk:new_letter": rule(*SUPERVISE, query={"case": "{case_id}"}),
    "risk:letter": rule(*SUPERVISE, only(H)),
    "risk:reply": rule(*SUPERVISE, only(H), post=True),
    "risk:letter_file": rule(*SUPERVISE, only(H), kind="pdf"),
    "duplicates:merge": rule(*CASES, post=True),
    "duplicates:unmerge": rule(*CASES, post=True),
    # Public: the citizen portal, Open311 (key-authenticated), health, language, API docs.
    "portal:home": rule(PUBLIC),
    "portal:submit": rule(PUBLIC),
    "portal:submitted": rule(PUBLIC),
    "portal:track": rule(PUBLIC),
    "portal:leave": rule(PUBLIC, post=True),
    "portal:rate": rule(PUBLIC, post=True),
    "portal:book": rule(PUBLIC),
    "portal:booked": rule(PUBLIC),
    "open311:discovery": rule(PUBLIC),
    "open311:services": rule(PUBLIC),
    "open311:service": rule(PUBLIC, code="{service_code}"),
    "open311:token": rule(PUBLIC, token="{open311_token}"),
    "open311:requests": rule(SYSTEM, scoped=False),  # a system's key: its own requests
    "open311:request": rule(SYSTEM),  # not the system's: the world's case came by the window
    "open311:<unnamed /open311/v2/{path}>": rule(PUBLIC, answers=(404,)),  # the spec's 404
    "healthz": rule(PUBLIC),
    "set_language": rule(PUBLIC),
    "api:openapi-json": rule(PUBLIC),
    "api:openapi-view": rule(PUBLIC),
    "api:api-root": rule(PUBLIC, answers=(404,)),  # nothing at the API's root
}

API: dict[str, Rule] = {
    "GET /api/v1/health": rule(PUBLIC),
    "POST /api/v1/auth/token": rule(PUBLIC, answers=(401,)),  # wrong credentials: 401
    # Cases.
    "POST /api/v1/cases": rule(*REGISTER, SYSTEM, scoped=False),
    "GET /api/v1/cases": rule(*CASES, SYSTEM, scoped=False),
    "GET /api/v1/cases/{case_id}": rule(*CASES),
    "POST /api/v1/cases/{case_id}/transitions": rule(*CASES),  # the lifecycle decides
    "POST /api/v1/cases/{case_id}/parties/{party_id}/reveal": rule(*REVEAL),
    "GET /api/v1/orgs": rule(*CASES, scoped=False),
    "GET /api/v1/categories": rule(*CASES, scoped=False),
    # Deadlines: the node's own organisation asks, supervisors decide and supervise.
    "POST /api/v1/cases/{case_id}/deadlines/{deadline_id}/extensions": rule(only(H)),
    "POST /api/v1/extensions/{extension_id}/decision": rule(*SUPERVISE),
    "POST /api/v1/cases/{case_id}/supervisions": rule(*SUPERVISE),
    "GET /api/v1/supervisions/{supervision_id}/letter.{kind}": rule(*CASES),
    # Routing.
    "POST /api/v1/cases/{case_id}/route/preview": rule(*ROUTE),
    "POST /api/v1/cases/{case_id}/route": rule(*ROUTE),
    # Mediation.
    "GET /api/v1/mediators": rule(D, M, A, scoped=False),
    "GET /api/v1/cases/{case_id}/mediations": rule(*CASES),
    "POST /api/v1/cases/{case_id}/mediations": rule(*ORGANISE),
    "POST /api/v1/mediations/{mediation_id}/sessions": rule(*MEDIATE),
    "POST /api/v1/sessions/{session_id}/record": rule(*MEDIATE),
    "POST /api/v1/mediations/{mediation_id}/finish": rule(*MEDIATE),
    "POST /api/v1/mediations/{mediation_id}/agreement": rule(*MEDIATE),
    "GET /api/v1/agreements/{agreement_id}": rule(*CASES),
    "GET /api/v1/agreements/{agreement_id}/document.{kind}": rule(*REVEAL),
    "POST /api/v1/agreements/{agreement_id}/effective": rule(*MEDIATE),
    "POST /api/v1/agreements/{agreement_id}/scan": rule(*MEDIATE),
    "GET /api/v1/agreements/{agreement_id}/scan": rule(*REVEAL),
    "POST /api/v1/agreements/{agreement_id}/confirmation": rule(*MEDIATE),
    "POST /api/v1/confirmations/{confirmation_id}/ruling": rule(D, A, only("court")),
    "POST /api/v1/cases/{case_id}/litigation": rule(*ORGANISE),
    "GET /api/v1/cases/{case_id}/litigation": rule(*CASES),
    "GET /api/v1/cases/{case_id}/chain": rule(*CASES),
    # Summons: supervisors summon, the summoned organisation answers.
    "POST /api/v1/summons": rule(*SUPERVISE),
    "GET /api/v1/summons": rule(*CASES, scoped=False),
    "GET /api/v1/summons/{summons_id}": rule(*CASES),
    "POST /api/v1/summons/{summons_id}/acknowledge": rule(only("court")),
    "POST /api/v1/summons/{summons_id}/arrive": rule(only("court")),
    # Court referrals.
    "POST /api/v1/court-referrals": rule(D, A, only("court"), scoped=False),
    "GET /api/v1/court-referrals": rule(*CASES, scoped=False),
    "GET /api/v1/court-referrals/types": rule(*CASES, scoped=False),
    "GET /api/v1/court-referrals/{referral_id}": rule(*CASES),
    "POST /api/v1/court-referrals/{referral_id}/extension": rule(*FRONT, only("court")),
    "POST /api/v1/court-referrals/{referral_id}/result": rule(*FRONT),
    "GET /api/v1/court-referrals/{referral_id}/record.pdf": rule(*CASES),
    # Consultations.
    "GET /api/v1/cases/{case_id}/consultations": rule(*CASES),
    "POST /api/v1/cases/{case_id}/consultations": rule(*ORGANISE),
    "GET /api/v1/consultations/{consultation_id}": rule(*CASES),
    "POST /api/v1/consultations/{consultation_id}/minutes": rule(*ORGANISE),
    "POST /api/v1/consultation-decisions/{decision_id}/done": rule(only(H)),  # 百官's task
    "POST /api/v1/cases/{case_id}/joint-receptions": rule(*ORGANISE),
    # Petition agency: the agent (the clerk) runs errands.
    "GET /api/v1/agencies": rule(*CASES, scoped=False),
    "GET /api/v1/agencies/{agency_id}": rule(*CASES),
    "POST /api/v1/cases/{case_id}/agency": rule(*FRONT, only(H)),
    "POST /api/v1/agencies/{agency_id}/errands": rule(only(C)),
    "POST /api/v1/agencies/{agency_id}/finish": rule(*FRONT),
    # Linkage.
    "GET /api/v1/linkage/stats": rule(*SUPERVISE, only(M), only("court"), scoped=False),
    "GET /api/v1/cases/{case_id}/handovers": rule(*CASES),
    "POST /api/v1/cases/{case_id}/handovers": rule(*FRONT),
    # Appointments.
    "GET /api/v1/appointment-slots": rule(*CASES, scoped=False),
    "POST /api/v1/appointments": rule(C, D, H, A, scoped=False),
    "POST /api/v1/appointments/{appointment_id}/cancel": rule(*FRONT, scoped=False),
    # Evaluation.
    "GET /api/v1/cases/{case_id}/ratings": rule(*CASES),
    "POST /api/v1/cases/{case_id}/ratings": rule(*CASES),
    "POST /api/v1/reviews/{review_id}/decision": rule(*ROUTE),
    "GET /api/v1/cases/{case_id}/visits": rule(*CASES),
    "POST /api/v1/visits/{visit_id}": rule(*FRONT, only(G)),  # the grid of the village
    "GET /api/v1/assessment": rule(*SUPERVISE, scoped=False),
    # Statistics.
    "GET /api/v1/stats/kpis": rule(*CASES, scoped=False),
    "GET /api/v1/stats/volume": rule(*CASES, scoped=False),
    "GET /api/v1/stats/map": rule(*CASES, scoped=False),
    "GET /api/v1/stats/map/{case_id}": rule(*CASES),
    # Imports: the uploader's jobs (the dispatcher's), and the admin's.
    "POST /api/v1/imports": rule(*FRONT, scoped=False),
    "GET /api/v1/imports/{job_id}": rule(D, A, scoped=False),
    "GET /api/v1/imports/{job_id}/problems": rule(D, A, scoped=False),
    # Triage, duplicates, risk.
    "POST /api/v1/triage/suggest": rule(*CASES, scoped=False),
    "GET /api/v1/cases/{case_id}/similar": rule(*CASES),
    "POST /api/v1/cases/{case_id}/merge": rule(*FRONT),
    "POST /api/v1/cases/{case_id}/unmerge": rule(*FRONT),
    "GET /api/v1/cases/{case_id}/risk": rule(*CASES),
    "GET /api/v1/risk/warnings": rule(*SUPERVISE, scoped=False),
    "GET /api/v1/risk/letters": rule(*CASES, scoped=False),
    "POST /api/v1/risk/letters": rule(*SUPERVISE, scoped=False),  # about no case here
    "GET /api/v1/risk/letters/{letter_id}": rule(*SUPERVISE, only(H)),
    "POST /api/v1/risk/letters/{letter_id}/reply": rule(only(H)),
    "GET /api/v1/risk/letters/{letter_id}/letter.{kind}": rule(*SUPERVISE, only(H)),
    # The audit log.
    "GET /api/v1/audit": rule(Role.AUDITOR, scoped=False),
    "POST /api/v1/audit/access": rule(Role.AUDITOR, scoped=False),
}

# ------------------------------------------------------------------ the admin site
# Its door is one (AdminSite.admin_view, then the model admin's permissions), and it answers
# alike every account that is not staff: the staff roles, the auditor, one other role and the
# anonymous visitor stand for all.
SEC, AUD = "security_admin", "auditor"
ADMIN_TRIED = (A, SEC, AUD, D, ANONYMOUS)

ADMIN_SITE: dict[str, Rule] = {
    "admin:index": rule(A, SEC, scoped=False),
    "admin:login": rule(),  # shadowed by /admin/login/, which hands over to the accounts login
    "admin:logout": rule(PUBLIC, post=True),  # signs out whoever asks
    "admin:password_change": rule(A, SEC, scoped=False),
    "admin:password_change_done": rule(A, SEC, scoped=False),
    "admin:jsi18n": rule(A, SEC, scoped=False),
    "admin:autocomplete": rule(),  # refused without a model's field to complete, to all
    "admin:app_list": rule(A, scoped=False, app_label="cases"),
    # "View on site" of a case: a redirect to its page, which checks the scope itself.
    # (a case has no such page: 404 to the staff, the login to everyone else).
    "admin:view_on_site": rule(
        A,
        SEC,
        scoped=False,
        answers=(404,),
        content_type_id="{case_content_type}",
        object_id="{case_id}",
    ),
    "admin:<unnamed /admin/{url}>": rule(A, SEC, scoped=False, answers=(404,), url="nowhere/"),
}


@dataclass(frozen=True)
class AdminModel:
    """Who may list and open (view), add and delete a model's rows in the admin site."""

    view: tuple[str, ...] = (A,)
    add: tuple[str, ...] = (A,)
    delete: tuple[str, ...] = (A,)
    other: tuple[tuple[str, tuple[str, ...]], ...] = ()  # its own pages: (action, roles)


CONFIG = AdminModel()  # configuration: the system administrator's
# Written by the workflows: never added here. The system administrator may still delete them
# (see the report of issue 11: a candidate for read-only, as linkage and audit already are).
RECORD = AdminModel(add=())
# 三员分立: accounts, lockouts and second factors are the security administrator's alone.
ACCOUNTS = AdminModel(view=(SEC,), add=(SEC,), delete=(SEC,))

# By app label, or "app.model" where a model differs from its app.
ADMIN_MODELS: dict[str, AdminModel] = {
    "accounts": ACCOUNTS,
    # Accounts are deactivated, never deleted; tokens are issued by the API, not made here.
    "accounts.user": AdminModel((SEC,), (SEC,), (), other=(("password", (SEC,)),)),
    "accounts.apitoken": AdminModel(view=(SEC,), add=(), delete=()),
    "axes": AdminModel(view=(SEC,), add=(), delete=()),  # unlocked on /accounts/lockouts/
    "audit": AdminModel(view=(), add=(), delete=()),  # read in /audit/ by the auditor
    "geo": CONFIG,
    "orgs": CONFIG,
    "cases": CONFIG,
    "deadlines": CONFIG,
    "deadlines.supervision": RECORD,
    "notifications": RECORD,
    "mediation": CONFIG,
    "summons": RECORD,
    "courts": CONFIG,
    "courts.courtreferral": RECORD,
    "courts.referralbatch": RECORD,
    "consultations": RECORD,
    "agency": RECORD,
    "linkage": AdminModel(add=(), delete=()),
    "appointments": CONFIG,
    "appointments.appointment": RECORD,
    "evaluation": CONFIG,
    "evaluation.rating": RECORD,
    "evaluation.review": RECORD,
    "evaluation.followupvisit": RECORD,
    "integrations": CONFIG,
    "integrations.webhookdelivery": RECORD,
    "triage": CONFIG,
    "risk": CONFIG,
    "risk.caserisk": RECORD,
    "risk.spikewarning": RECORD,
    "risk.riskletter": RECORD,
}

_ADMIN_ACTIONS = {
    "changelist": "view",
    "change": "view",  # shown read-only to whoever may view
    "history": "view",
    "add": "add",
    "delete": "delete",
}


STAFF = (A, SEC)  # the accounts the admin site lets in at all


def admin_rule(model, action: str, has_rows: bool) -> Rule | None:
    """The rule of an admin page of `model`; None when its app or action is not declared.
    The bare /<id>/ only redirects to the change page, and a row's pages of a model without
    rows only says "not found" on its history page: the admin site's door (staff) is all
    they check. (The change and delete pages check the model's permission first.)"""
    meta = model._meta
    entry = ADMIN_MODELS.get(f"{meta.app_label}.{meta.model_name}") or ADMIN_MODELS.get(
        meta.app_label
    )
    if entry is None:
        return None
    if action == "object" or (not has_rows and action == "history"):
        return rule(*STAFF, scoped=False)
    if action in _ADMIN_ACTIONS:
        return rule(*getattr(entry, _ADMIN_ACTIONS[action]), scoped=False)
    own = dict(entry.other)
    return rule(*own[action], scoped=False) if action in own else None
