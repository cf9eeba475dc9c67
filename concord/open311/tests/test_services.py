"""GET services, a service definition and discovery: public, in the spec's names, JSON and XML."""

from xml.etree import ElementTree as ET

from concord.cases.models import Category

from .conftest import BASE


def test_services_list_every_active_level_two_category_with_its_group(client, county):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    services = response.json()
    children = Category.objects.filter(parent__isnull=False, active=True)
    assert {s["service_code"] for s in services} == set(children.values_list("code", flat=True))
    noise = next(s for s in services if s["service_code"] == "neighbour-noise")
    assert noise == {
        "service_code": "neighbour-noise",
        "service_name": "噪音扰民",
        "description": "邻里纠纷/噪音扰民",
        "metadata": False,
        "type": "realtime",
        "keywords": "噪音扰民, 邻里纠纷",
        "group": "邻里纠纷",
    }
    assert "neighbour" not in {s["service_code"] for s in services}


def test_an_inactive_category_or_one_under_an_inactive_parent_is_not_offered(client, county):
    Category.objects.filter(code="neighbour-noise").update(active=False)
    Category.objects.filter(code="family").update(active=False)
    codes = {s["service_code"] for s in client.get(f"{BASE}/services.json").json()}
    assert "neighbour-noise" not in codes
    assert not {c for c in codes if c.startswith("family-")}
    assert client.get(f"{BASE}/services/neighbour-noise.json").status_code == 404


def test_services_in_xml_use_the_spec_element_names(client, county):
    response = client.get(f"{BASE}/services.xml")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == "services"
    service = root.find("service[service_code='neighbour-noise']")
    assert [child.tag for child in service] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert service.findtext("metadata") == "false"
    assert service.findtext("group") == "邻里纠纷"


def test_a_service_definition_has_no_attributes(client, county):
    response = client.get(f"{BASE}/services/neighbour-noise.json")
    assert response.json() == {"service_code": "neighbour-noise", "attributes": []}
    xml = ET.fromstring(client.get(f"{BASE}/services/neighbour-noise.xml").content)
    assert xml.tag == "service_definition"
    assert xml.findtext("service_code") == "neighbour-noise"
    assert xml.find("attributes") is not None and len(xml.find("attributes")) == 0


def test_an_unknown_or_level_one_service_is_a_404_in_the_spec_error_shape(client, county):
    for code in ("no-such-thing", "neighbour"):
        response = client.get(f"{BASE}/services/{code}.json")
        assert response.status_code == 404
        assert response.json() == [{"code": 404, "description": f"服务类型 {code} 不存在"}]


def test_discovery_names_the_endpoint_and_its_formats(client, county):
    body = client.get(f"{BASE}/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["application/json", "text/xml"]
    assert body["contact"].startswith("上虞区")
    xml = ET.fromstring(client.get(f"{BASE}/discovery.xml").content)
    assert xml.findtext("endpoints/endpoint/formats/format") == "application/json"


def test_unknown_paths_formats_and_methods_answer_in_the_spec_error_shape(client, county):
    missing = client.get(f"{BASE}/nothing/here.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    csv = client.get(f"{BASE}/services.csv")
    assert csv.status_code == 404
    assert csv.json()[0]["description"] == "不支持的格式 .csv：可用 .json 或 .xml"
    put = client.put(f"{BASE}/services.json")
    assert put.status_code == 405 and put["Allow"] == "GET"
    xml = client.get(f"{BASE}/services/none.xml")
    error = ET.fromstring(xml.content)
    assert error.tag == "errors" and error.findtext("error/code") == "404"
