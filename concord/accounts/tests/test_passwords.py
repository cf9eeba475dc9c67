"""The password policy (等保 2.0 身份鉴别 a): at least 10 characters of 3 of the 4 classes."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from concord.accounts.models import User
from concord.demo.county import DEMO_ACCOUNTS, DEMO_PASSWORD

COMPLEXITY = "密码须包含大写字母、小写字母、数字、符号中的至少3类"


@pytest.mark.parametrize(
    "password",
    ["Tiaojie2026", "tiaojie-2026", "TIAOJIE-2026", "Tiao jie-home", "调解Tiao-jie#1"],
)
def test_three_classes_of_ten_characters_pass(password):
    validate_password(password)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("tiaojie2026x", COMPLEXITY),  # lower case and digits only
        ("TIAOJIEZHONGXIN", COMPLEXITY),
        ("调解中心调解中心调解中心", COMPLEXITY),  # Chinese characters are none of the four
        ("Tiao-j1e", "密码太短，至少需要10个字符"),
    ],
)
def test_simple_or_short_passwords_are_refused_in_chinese(password, message):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert message in refused.value.messages


@pytest.mark.parametrize(("username", "role", "org", "name"), DEMO_ACCOUNTS)
def test_the_demo_password_meets_the_policy(username, role, org, name, county):
    validate_password(DEMO_PASSWORD, User.objects.get(username=username))


def test_password_change_page_applies_the_policy(web, persona):
    client = web("clerk")
    form = {"old_password": DEMO_PASSWORD, "new_password1": "tiaojie2026x"}
    refused = client.post("/accounts/password/", {**form, "new_password2": "tiaojie2026x"})
    assert refused.status_code == 200
    assert COMPLEXITY in refused.content.decode()
    assert persona("clerk").check_password(DEMO_PASSWORD)
    changed = client.post(
        "/accounts/password/",
        {**form, "new_password1": "Tiaojie-2026", "new_password2": "Tiaojie-2026"},
    )
    assert changed.status_code == 302 and changed["Location"] == "/accounts/security/"
    assert persona("clerk").check_password("Tiaojie-2026")
    assert client.get("/").status_code == 200  # still signed in
