"""Every page the top bar offers a user opens for that user: no link to a 403 or a 404."""

import re

import pytest

DEMO_USERS = [
    "admin",
    "clerk",
    "dispatcher",
    "leader",
    "baiguan",
    "caoe",
    "hrss",
    "court",
    "mediator",
    "grid",
]


@pytest.mark.parametrize("username", DEMO_USERS)
def test_each_link_of_the_top_bar_opens(username, web):
    client = web(username)
    home = client.get("/").content.decode()
    nav = re.search(r'<nav class="mainnav">(.*?)</nav>', home, re.S).group(1)
    links = [href for href in re.findall(r'href="([^"]+)"', nav) if not href.startswith("/admin")]
    assert len(links) >= 3
    for href in links:
        assert client.get(href).status_code == 200, href
