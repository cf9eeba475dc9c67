"""Domain errors raised by services; the API and the pages turn them into 4xx answers."""


class ServiceError(Exception):
    """A request the rules refuse. `field` names the input at fault, when there is one."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        body = {"detail": self.message, "code": self.code}
        if self.field:
            body["field"] = self.field
        return body


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    """The record changed under the caller (someone else was first) or the state forbids it."""

    status = 409
    code = "conflict"


class InvalidInput(ServiceError):
    """One or more fields are wrong; `errors` maps each field to its message."""

    status = 422
    code = "invalid_input"

    def __init__(self, errors: dict[str, str]):
        first_field, first_message = next(iter(errors.items()))
        super().__init__(
            "；".join(f"{field}: {message}" for field, message in errors.items()),
            field=first_field,
        )
        self.errors = errors

    def as_dict(self) -> dict:
        return {**super().as_dict(), "errors": self.errors}
