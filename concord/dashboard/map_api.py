"""The command map's data over the API: the dots of the open cases and the panel of one.

Mounted under /api/v1/stats. A division outside the caller's territory answers 403, a bad
filter 422 (the global ServiceError handler); a case outside the scope 404.
"""

import json
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from . import map as command_map

router = Router()


class MapQuery(Schema):
    division: str | None = Field(
        None, description="12位区划代码（区县、乡镇或村社区，须在本人辖区内）；空为本人辖区"
    )
    risk: str | None = Field(None, description="风险等级：red、orange、yellow、blue")
    category: str | None = Field(None, description="类别编码（上级类别含其下级）")
    channel: str | None = Field(None, description="来源渠道")


class DivisionOut(Schema):
    code: str
    name: str
    level: str


class TownCount(Schema):
    code: str | None = Field(description="乡镇（街道）区划代码；空为未指明乡镇")
    name: str
    n: int


class MapOut(Schema):
    division: DivisionOut
    points: list[tuple[int, float, float, str]] = Field(
        description="有坐标的未办结事项：[事项id, 经度, 纬度, 风险等级]"
    )
    without_coordinates: list[TownCount] = Field(description="无坐标的未办结事项，按乡镇计数")
    located: int = Field(description="地图上的点数")
    total: int = Field(description="符合条件的未办结事项总数")
    generated_at: datetime


class ContactOut(Schema):
    name: str
    phone: str = Field(description="脱敏显示，如 138****5678")


class PanelOut(Schema):
    id: int
    tracking_code: str
    title: str
    organisation: str = Field(description="主办单位；未交办为“待分派”")
    assigned: bool
    address: str
    contact: ContactOut = Field(description="申请人")
    description: str = Field(description="诉求内容（截取前200字）")
    status: str
    status_label: str
    risk_level: str
    risk_label: str
    risk_colour: str
    received_at: datetime
    received_at_text: str = Field(description="收到时间（本地时间）")
    url: str = Field(description="事项页面")


@router.get("/map", response=MapOut, summary="指挥地图：未办结事项的点位")
def map_points(request: HttpRequest, query: Query[MapQuery]):
    filters = command_map.parse_filters(query.dict())
    return _map_response(command_map.map_data(request.auth, filters))


def _map_response(answer: dict) -> HttpResponse:
    """MapOut, written here: the dots come from the database as JSON text and go out as they
    are, instead of being decoded, checked against the schema and encoded again (that is most
    of the time of a county-wide answer). test_map checks the answer against MapOut."""
    rest = json.dumps(
        {key: value for key, value in answer.items() if key != "points"},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    body = f'{{"points":{answer["points"]},{rest[1:]}'
    return HttpResponse(body, content_type="application/json")


@router.get("/map/{int:case_id}", response=PanelOut, summary="指挥地图：点位详情")
def map_panel(request: HttpRequest, case_id: int, division: str | None = None):
    filters = command_map.parse_filters({"division": division})
    return command_map.panel(request.auth, case_id, filters.division)
