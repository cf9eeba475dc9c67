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
