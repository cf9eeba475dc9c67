"""Password length and complexity (等保 2.0 身份鉴别 a)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# (label, test) of each character class; symbols are whatever is none of the others.
CLASSES = (
    ("upper", str.isupper),
    ("lower", str.islower),
    ("digit", str.isdigit),
    ("symbol", lambda c: not c.isalnum()),
)


def character_classes(password: str) -> set[str]:
    return {name for name, test in CLASSES if any(test(c) for c in password)}


class CharacterClassesValidator:
    """At least `min_classes` of upper-case letters, lower-case letters, digits and symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少%(count)d类") % {
            "count": self.min_classes
        }


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message of our own: its Chinese catalogue lacks the current wording."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要%(min_length)d个字符") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return self.get_error_message()
