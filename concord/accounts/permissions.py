"""What each role may do, in one place. Scope (which cases) lives in cases.scope."""

from .models import Role, User

# Roles that register new cases at a window, on the phone, or from the field.
REGISTER_ROLES = frozenset({Role.CLERK, Role.DISPATCHER, Role.GRID, Role.ADMIN})
# Roles that must contact parties and may therefore see full ID numbers and phones (PIPL art. 51:
# least privilege). Every full view is still audited.
REVEAL_PII_ROLES = frozenset({Role.CLERK, Role.DISPATCHER, Role.HANDLER, Role.MEDIATOR, Role.ADMIN})
EXPORT_ROLES = frozenset(
    {Role.CLERK, Role.DISPATCHER, Role.HANDLER, Role.MEDIATOR, Role.LEADER, Role.ADMIN}
)

# Roles offered the 超期督办 page; each sees only the overdue nodes of cases in its scope.
OVERDUE_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMIN, Role.HANDLER})

# Roles that supervise others' work: issue 督办, decide extensions, summon departments (吹哨).
SUPERVISE_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMIN})
# Roles that route cases and keep the routing rules (一网分流).
ROUTE_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})


def can_register(user: User) -> bool:
    return user.is_authenticated and user.role in REGISTER_ROLES


def can_reveal_pii(user: User) -> bool:
    return user.is_authenticated and user.role in REVEAL_PII_ROLES


def can_export(user: User) -> bool:
    return user.is_authenticated and user.role in EXPORT_ROLES


def can_see_overdue(user: User) -> bool:
    return user.is_authenticated and user.role in OVERDUE_ROLES


def can_route(user: User) -> bool:
    return user.is_authenticated and user.role in ROUTE_ROLES


# 三员分立 (GB/T 22239 level 3): the roles that work with cases. The security administrator
# and the auditor are not among them, nor is any role added later until it is put here: a role
# outside this set sees no case (cases.scope) and no page outside its own area (below).
CASE_ROLES = frozenset(
    {
        Role.CLERK,
        Role.DISPATCHER,
        Role.HANDLER,
        Role.MEDIATOR,
        Role.GRID,
        Role.LEADER,
        Role.ADMIN,
    }
)
# Where the other roles may go (path prefixes), besides the pages every account has: its own
# login, second factor and notifications (OPEN_AREAS). The security administrator keeps the
# accounts in the admin site (accounts, lockouts, second-factor devices; configuration stays
# hidden from them); the auditor reads the audit log.
ROLE_AREAS = {
    Role.SECURITY_ADMIN: ("/admin/",),
    Role.AUDITOR: ("/audit/", "/api/v1/audit"),
}
OPEN_AREAS = ("/accounts/", "/notifications/", "/i18n/", "/api/v1/auth/", "/static/")
# Each role's first page after login when it is not the case inbox (a page with the top bar:
# the admin site's pages have none of their own).
ROLE_HOMES = {
    Role.SECURITY_ADMIN: "/accounts/lockouts/",
    Role.AUDITOR: "/audit/",
}

# Accounts that must sign in with a second factor (TOTP): the three administrators and anyone
# the admin site lets in. Other staff may enable it on their 账号安全 page.
SECOND_FACTOR_ROLES = frozenset({Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})


def works_cases(user: User) -> bool:
    return user.is_authenticated and user.role in CASE_ROLES


def may_enter(user: User, path: str) -> bool:
    """Whether a role outside CASE_ROLES may open `path`; case roles go everywhere their
    views let them."""
    if works_cases(user):
        return True
    return path.startswith(OPEN_AREAS + ROLE_AREAS.get(user.role, ()))


def home_url(user: User) -> str:
    return ROLE_HOMES.get(user.role, "/")


def manages_accounts(user: User) -> bool:
    """The security administrator: accounts, roles, lockouts and second-factor devices. The
    system administrator configures and may not touch any of these."""
    return user.is_authenticated and user.is_active and user.role == Role.SECURITY_ADMIN


def reads_audit_log(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.AUDITOR


def second_factor_required(user: User) -> bool:
    return user.is_authenticated and (
        user.role in SECOND_FACTOR_ROLES or user.is_staff or user.is_superuser
    )


def staff_flags(role: str) -> tuple[bool, bool]:
    """(is_staff, is_superuser) follow the role: the system administrator configures every
    model of the admin site; the security administrator enters it for the accounts only."""
    return role in (Role.ADMIN, Role.SECURITY_ADMIN), role == Role.ADMIN
