"""The pages in English: chosen through the language switch (or its cookie), every label of
the page chrome is English; data (names, places, descriptions) stays as it was entered.
And the English catalogue is complete."""

import ast
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

from concord.cases.tests.factories import build_case, organisation
from concord.cases.tests.test_pages import VALID_ID, _intake_post

LOCALE = Path(settings.BASE_DIR) / "concord" / "locale" / "en" / "LC_MESSAGES"
PO, MO = LOCALE / "django.po", LOCALE / "django.mo"
# Han ideographs, CJK punctuation (、。「」) and fullwidth forms (（）：；，).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue():
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        pytest.fail(
            f"{MO.relative_to(settings.BASE_DIR)} is missing or older than the .po: "
            "run `make setup` (it runs compilemessages)",
            pytrace=False,
        )


@pytest.fixture
def english(web):
    """english("clerk") → a logged-in client that chose English (the switch sets this cookie)."""

    def login(username: str):
        client = web(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


class Element:
    def __init__(self, tag: str, attrs: dict, parent=None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find(self, selector: str) -> list["Element"]:
        """A small subset of CSS: `tag`, `tag.class`, `#id`, `.class`, and `A B` (descendant)."""
        scopes = [self]
        for part in selector.split():
            found = []
            for scope in scopes:
                found += [e for e in scope.iter() if _matches(e, part) and e not in found]
            scopes = found
        return scopes


def _matches(element: Element, simple: str) -> bool:
    tag, _, rest = simple.partition("#") if "#" in simple else (simple, "", "")
    element_id = rest or None
    tag, *classes = tag.split(".")
    return (
        (not tag or element.tag == tag)
        and (element_id is None or element.attrs.get("id") == element_id)
        and set(classes) <= element.classes
    )


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root = self.current = Element("#document", {})

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(response) -> Element:
    assert response.status_code == 200, response.status_code
    parser = _Parser()
    parser.feed(response.content.decode())
    return parser.root


def texts(page: Element, selector: str) -> list[str]:
    return [e.text() for e in page.find(selector)]


def assert_english(page: Element, *selectors: str) -> None:
    """No Chinese in the chrome: the top bar, and the elements the selectors name."""
    assert page.find("html")[0].attrs["lang"] == "en"
    chrome = texts(page, "title") + texts(page, ".brand") + texts(page, "nav.mainnav")
    chrome += [t for t in texts(page, ".userbox button") if t != "中文"]  # a language's own name
    for selector in selectors:
        found = texts(page, selector)
        assert found, f"nothing matches {selector!r}"
        chrome += found
    chinese = [t for t in chrome if CJK.search(t)]
    assert not chinese, chinese


def test_inbox_in_english(english):
    build_case("registered")
    page = parse(english("clerk").get("/"))
    assert texts(page, "nav.mainnav a") == [
        "My work",
        "Register a case",
        "Find cases",
        "Archived cases",
        "Court referrals",
        "Joint consultation",
        "Petition agency",
        "Appointments",
        "Import",
        "Dashboard",
        "Command screen",
        "Trend forecast",
        "Risk letters",
    ]
    assert texts(page, "nav.mainnav summary") == [
        "Mediation & linkage",
        "Data exchange",
        "Statistics",
    ]
    assert "Log out" in texts(page, ".userbox button")
    assert texts(page, "h1") == ["My work"]
    assert "To accept" in texts(page, "#section-to_accept h2")[0]
    assert "Tracking code" in texts(page, "#section-to_accept th")
    assert texts(page, "#section-to_accept .badge") == ["Registered"]
    assert_english(page, "h1", "h2", "th", ".badge", ".risk", "p.muted")


def test_handler_inbox_in_english(english):
    build_case("assigned")
    page = parse(english("baiguan").get("/"))
    assert texts(page, "#section-to_sign h2")[0].startswith("To sign for 1 item")
    assert "No tasks in progress" in texts(page, "#section-handling p.muted")
    assert_english(page, "h1", "h2", "th", ".badge", "p.muted")


def test_case_list_in_english(english):
    for _ in range(2):
        build_case("registered")
    page = parse(english("clerk").get("/cases/"))
    assert texts(page, "h1") == ["Find cases"]
    labels = texts(page, "form.filters label")
    assert {"Status", "Category", "Area", "Channel", "Risk level", "Keyword"} <= set(labels)
    assert texts(page, "form.filters button") == ["Search"]
    assert "2 cases, page 1 of 1" in texts(page, ".pager span")[0]
    assert texts(page, "#export-link") == ["Export to Excel"]
    assert_english(
        page,
        "h1",
        "form.filters label",
        "form.filters button",
        "#id_status option",
        "#id_channel option",
        "#id_risk_level option",
        "#case-table th",
        ".badge",
        ".pager",
    )
    # The first option of each picker is ours; the rest are place and category names.
    assert texts(page, "#id_division option")[0] == "All towns / subdistricts"
    assert texts(page, "#id_category option")[0] == "All categories"
    export = english("clerk").get("/cases/export.xlsx")
    rows = load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
    assert next(rows)[:3] == ("Tracking code", "Received at", "Type")


def test_an_empty_list_and_its_errors_in_english(english):
    page = parse(english("clerk").get("/cases/", {"received_from": "2026-03-05", "division": "x"}))
    assert "No cases match these filters" in texts(page, "#case-table td")
    assert "A division code has 12 digits" in " ".join(texts(page, ".errorlist"))
    assert_english(page, ".errorlist", ".form-errors", "#case-table td", ".pager")


def test_intake_form_in_english(english):
    page = parse(english("clerk").get("/cases/new"))
    assert texts(page, "h1")[0].startswith("Register a case")
    headings = texts(page, "h2")
    assert headings[:2] == ["Basic information", "Location and scale"]
    assert headings[2].startswith("Parties ID and phone numbers are stored encrypted")
    labels = texts(page, "#intake-form label")
    assert {"Case type", "Channel", "Request", "Town / subdistrict", "People involved"} <= set(
        labels
    )
    assert texts(page, "#intake-form th") == ["Role", "Name", "ID number", "Phone", "Home address"]
    assert texts(page, "#intake-form button") == ["+ Add a party", "Register"]
    assert texts(page, "#intake-form a.btn") == ["Cancel"]
    assert texts(page, "#id_village option") == ["Choose a village / community"]
    assert_english(
        page,
        "h1",
        "h2",
        "#intake-form label",
        "#intake-form th",
        "#intake-form button",
        "#intake-form a.btn",
        "#id_type option",
        "#id_channel option",
        "#id_risk_level option",
        "#id_party-0-role option",
        "#id_village option",
    )


def test_intake_errors_in_english(english):
    clerk = english("clerk")
    page = parse(clerk.post("/cases/new", _intake_post(description="")))
    assert texts(page, ".errorlist") == ["Please describe the request"]
    wrong = VALID_ID[:17] + ("0" if VALID_ID[-1] != "0" else "1")
    page = parse(clerk.post("/cases/new", _intake_post(**{"party-0-id_number": wrong})))
    assert texts(page, ".errorlist") == ["The ID number's check digit is wrong"]
    response = clerk.post("/cases/new", _intake_post(), follow=True)
    message = texts(parse(response), ".message.success")[0]
    assert message.startswith("Registered. Tracking code: ")


def test_case_detail_in_english(english):
    case = build_case("assigned")
    page = parse(english("baiguan").get(f"/cases/{case.pk}/"))
    assert texts(page, ".case-head .badge") == ["Assigned"]
    assert [h.split(" ")[0] for h in texts(page, "h2")] == [
        "Case",  # Case information
        "Deadlines",
        "Mediation",
        "Summons",
        "Joint",  # Joint consultation
        "Petition",  # Petition agency
        "Five-way",  # Five-way linkage
        "Appointments",
        "Request",
        "Parties",
        "Tasks",
        "Actions",
        "Case",  # Case history
    ]
    facts = texts(page, "dl.facts dt")
    assert facts[:3] == ["Case category", "Location", "People involved"]
    assert "1 person" in texts(page, "dl.facts dd")
    assert texts(page, "#tasks th")[:4] == ["Handling organisation", "Role", "Status", "Assigned"]
    assert texts(page, "#tasks td")[1:3] == ["Lead", "To sign for"]
    assert texts(page, "details.action summary") == ["Sign for", "Return"]
    # The node's name is data (the policy's label); the words around it are translated.
    assert texts(page, "#deadlines details.extension summary") == ["Request an extension: 办结"]
    assert texts(page, "#consultations summary") == ["Organise a 3+X joint consultation"]
    assert texts(page, "#agency summary") == ["Assign an agent"]
    assert texts(page, "#timeline .what")[:3] == [
        "Register",
        "Accept → Accepted",
        "Assign → Assigned",
    ]
    assert "Tracking code" in texts(page, "p.muted")[0]
    assert_english(
        page,
        "h2",
        "dt",
        "th",
        ".badge",
        ".risk",
        "details.action summary",
        "#deadlines th",
        "#deadlines .dl-badge",
        "#actions label",
        "#actions button",
        "#parties button",
        "#parties td.nowrap",  # the party's role
        "#timeline .what",
        "#consultations summary",
        "#agency summary",
        "#agency p.muted",
        "#linkage p.muted",
        "#appointments p.muted",
    )


def test_detail_messages_in_english(english):
    case = build_case("accepted")
    handler = english("baiguan")
    refused = handler.post(
        f"/cases/{case.pk}/act/return", {"comment": ""}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 422
    assert "is not possible" in refused.content.decode()
    assert not CJK.search(refused.content.decode())
    page = parse(english("leader").get(f"/cases/{case.pk}/"))
    assert "There is nothing for you to do on this case now." in texts(page, "#actions p")
    dispatcher = english("dispatcher")
    town = organisation("town-330604001")
    page = parse(
        dispatcher.post(f"/cases/{case.pk}/act/assign", {"lead_org": town.pk}, follow=True)
    )
    assert texts(page, ".message.success") == ["Action completed: Assign"]


def test_login_page_in_english(client, county):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = parse(client.get("/accounts/login/"))
    assert texts(page, "h1") == ["Mediation Centre Workbench"]
    assert texts(page, "label") == ["Username", "Password"]
    assert texts(page, "button") == ["Log in"]
    assert_english(page, "h1", "label", "button")
    bad = parse(client.post("/accounts/login/", {"username": "clerk", "password": "nope"}))
    assert texts(bad, ".form-errors") == ["Incorrect username or password"]


def test_the_switch_sets_english_and_back(web):
    clerk = web("clerk")
    assert "我的工作" in clerk.get("/").content.decode()
    response = clerk.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    page = parse(clerk.get("/cases/"))
    assert texts(page, "h1") == ["Find cases"]
    assert texts(page, ".userbox button") == ["中文", "Log out"]
    clerk.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = parse(clerk.get("/"))
    assert page.find("html")[0].attrs["lang"] == "zh-hans"
    assert texts(page, "h1") == ["我的工作"]


def _po_entries(text: str) -> list[dict]:
    """Each entry of a .po file as {keyword: string}, e.g. {"msgid": …, "msgstr[0]": …}."""
    entries = []
    for block in text.strip().split("\n\n"):
        entry, key = {"flags": ""}, None
        if not any(line.startswith("msgid ") for line in block.splitlines()):
            continue  # only comments, or an obsolete (#~) entry
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line[2:]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        entries.append(entry)
    return entries


def test_the_english_catalogue_is_complete():
    entries = _po_entries(PO.read_text(encoding="utf-8"))
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"]
    assert len(messages) > 300
    placeholder = re.compile(r"%\(\w+\)[sd]")
    problems = []
    for entry in messages:
        name = entry.get("msgctxt", "") + "|" + entry["msgid"]
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        if "msgid_plural" in entry and len(translations) != 2:
            problems.append(f"{name}: needs two plural forms")
        if "fuzzy" in entry["flags"] or not all(translations):
            problems.append(f"{name}: untranslated or fuzzy")
        wanted = sorted(placeholder.findall(entry["msgid"]))
        for translation in translations:
            if sorted(placeholder.findall(translation)) != wanted:
                problems.append(f"{name}: placeholders differ in {translation!r}")
            if CJK.search(translation):
                problems.append(f"{name}: Chinese left in {translation!r}")
    assert not problems, "\n".join(problems)
