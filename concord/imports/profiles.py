"""Column mapping profiles: which column of a file is which field of a case.

- `canonical`: the public import format (SPEC §11), English header names, one row per case.
- `12345`: a 12345 hotline work-order export, Chinese headers as the hotline platforms name
  them (工单编号, 来电时间, 诉求内容, 所属区域 …), with their words for states, results and
  satisfaction (办理中, 已办结, 已解决, 非常满意 …).

A profile lists, per field, the header names it accepts (the first one present wins) and
which fields a file must have; without them the file is refused with the list of what was
expected. Values are matched after Unicode normalisation (full-width letters, spaces, case):
a case type, channel, status, result or satisfaction may be given by its code or its label in
Chinese or English, plus the profile's own words. To add a source's layout, add a Profile
here and list it in PROFILES (CONTRIBUTING.md, "add an import source").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from concord.cases.choices import CaseStatus, CaseType, Channel, Result, Satisfaction

from .files import refuse

# The canonical import format's columns, in order (SPEC §11).
CANONICAL_COLUMNS = (
    "source_id",
    "received_at",
    "type",
    "channel",
    "category",
    "title",
    "description",
    "division",
    "address",
    "applicant_name",
    "applicant_phone",
    "applicant_id_number",
    "respondent_name",
    "status",
    "result",
    "resolved_at",
    "satisfaction",
)
# Every field a row may carry: the canonical ones plus `reply` (the answer given, for closed
# history; an addition other layouts carry).
FIELDS = (*CANONICAL_COLUMNS, "reply")
LABELS = {
    "source_id": gettext_lazy("来源编号"),
    "received_at": gettext_lazy("收到时间"),
    "type": gettext_lazy("类型"),
    "channel": gettext_lazy("来源渠道"),
    "category": gettext_lazy("类别"),
    "title": gettext_lazy("标题"),
    "description": gettext_lazy("诉求内容"),
    "division": gettext_lazy("发生地（区划）"),
    "address": gettext_lazy("详细地址"),
    "applicant_name": gettext_lazy("申请人"),
    "applicant_phone": gettext_lazy("申请人电话"),
    "applicant_id_number": gettext_lazy("申请人身份证号"),
    "respondent_name": gettext_lazy("被申请人"),
    "status": gettext_lazy("状态"),
    "result": gettext_lazy("办理结果"),
    "resolved_at": gettext_lazy("办结时间"),
    "satisfaction": gettext_lazy("满意度"),
    "reply": gettext_lazy("答复内容"),
}
CHOICES = {
    "type": CaseType,
    "channel": Channel,
    "status": CaseStatus,
    "result": Result,
    "satisfaction": Satisfaction,
}


def normal(text: str) -> str:
    """Text as compared: NFKC (full-width → half-width), no white space, lower case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


@dataclass(frozen=True)
class Profile:
    code: str
    label: str
    source: str  # the default source system: (source, source_id) identifies a row
    channel: str  # the channel of rows that name none
    type: str  # the case type of rows that name none
    headers: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    words: dict[str, dict[str, str]] = field(default_factory=dict)
    note: str = ""

    def vocabulary(self, name: str) -> dict[str, str]:
        """Normalised word → value, for a field with a fixed set of values."""
        return _vocabulary(self.code, name)

    def header_names(self, name: str) -> tuple[str, ...]:
        return self.headers.get(name, ())


CANONICAL = Profile(
    code="canonical",
    label=gettext_lazy("标准格式（SPEC §11）"),
    source="import",
    channel=Channel.OTHER,
    type=CaseType.DISPUTE,
    headers={name: (name,) for name in FIELDS},
    required=("description",),
    note=gettext_lazy(
        "表头为英文字段名，未知列忽略，缺少的可选列视为空。type、channel、status、result、"
        "satisfaction 可填编码或中文名称；category 可填编码、名称或「上级/下级」。"
    ),
)

HOTLINE_12345 = Profile(
    code="12345",
    label=gettext_lazy("12345 热线工单导出"),
    source="12345",
    channel=Channel.HOTLINE_12345,
    type=CaseType.COMPLAINT,
    headers={
        "source_id": ("工单编号", "工单号", "受理编号"),
        "received_at": ("来电时间", "受理时间", "登记时间", "创建时间"),
        "type": ("诉求类型", "工单类型", "来电类型"),
        "category": ("工单类别", "诉求分类", "事项分类", "问题分类"),
        "title": ("诉求标题", "工单标题", "标题"),
        "description": ("诉求内容", "来电内容", "诉求描述", "问题描述"),
        "division": ("所属区域", "所属镇街", "所属街道"),
        "address": ("诉求地址", "事发地址", "发生地址", "地址"),
        "applicant_name": ("来电人", "来电人姓名", "诉求人", "联系人"),
        "applicant_phone": ("来电号码", "联系电话", "来电人电话", "联系方式"),
        "applicant_id_number": ("证件号码", "身份证号", "来电人身份证号"),
        "respondent_name": ("被反映对象", "被反映人", "被投诉人", "被投诉对象"),
        "status": ("办理状态", "工单状态", "状态"),
        "result": ("办理结果", "处理结果", "解决情况"),
        "resolved_at": ("办结时间", "完成时间", "结案时间"),
        "satisfaction": ("满意度", "回访满意度", "评价结果"),
        "reply": ("答复内容", "回复内容", "办理意见", "处理意见"),
    },
    required=("source_id", "received_at", "description"),
    words={
        # Orders still open at the hotline come in to be handled here: registered.
        "status": {
            **dict.fromkeys(
                (
                    "待受理",
                    "待处理",
                    "待签收",
                    "待办理",
                    "已受理",
                    "已派单",
                    "已转办",
                    "办理中",
                    "处理中",
                    "已退回",
                    "退回",
                ),
                CaseStatus.REGISTERED,
            ),
            **dict.fromkeys(("办结", "已完成", "已处理", "已答复", "已回复"), CaseStatus.RESOLVED),
            **dict.fromkeys(("已回访", "已评价"), CaseStatus.RATED),
            **dict.fromkeys(("已关闭", "已结案", "归档"), CaseStatus.ARCHIVED),
        },
        "result": {
            **dict.fromkeys(("解决", "已解决"), Result.SOLVED),
            **dict.fromkeys(("答复", "已答复", "已解释", "解释说明"), Result.ANSWERED),
            **dict.fromkeys(("调解失败",), Result.MEDIATION_FAILED),
            **dict.fromkeys(("撤诉", "撤销", "群众撤回"), Result.WITHDRAWN),
            **dict.fromkeys(("未解决", "部分解决", "无法解决", "不属实"), Result.OTHER),
        },
        "satisfaction": {
            "非常满意": Satisfaction.SATISFIED,
            **dict.fromkeys(("比较满意", "一般"), Satisfaction.BASICALLY_SATISFIED),
            **dict.fromkeys(("非常不满意", "很不满意"), Satisfaction.DISSATISFIED),
            # Not rated at the hotline: nothing to carry over.
            **dict.fromkeys(("未评价", "未回访", "无", "-"), ""),
        },
        "type": {
            "举报": CaseType.COMPLAINT,
            **dict.fromkeys(("建议", "意见建议", "求助"), CaseType.REQUEST),
            **dict.fromkeys(("纠纷", "矛盾纠纷"), CaseType.DISPUTE),
        },
    },
    note=gettext_lazy(
        "工单编号作为来源编号，重复导入自动跳过。所属区域填乡镇（街道）名称，与诉求地址一起定位到"
        "乡镇和村（社区）；办理状态为办理中等未办结状态的，导入为待受理事项；已办结且有满意度的"
        "记为已评价。"
    ),
)

PROFILES = {p.code: p for p in (CANONICAL, HOTLINE_12345)}


@cache
def _vocabulary(profile: str, name: str) -> dict[str, str]:
    words: dict[str, str] = {}
    choices = CHOICES[name]
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in choices.choices:
                words[normal(str(label))] = value
    for value in choices.values:
        words[normal(value)] = value
    for word, value in PROFILES[profile].words.get(name, {}).items():
        words[normal(word)] = value
    return words


@dataclass
class Mapping:
    """A profile applied to one file's header: the field of each column (None: ignored)."""

    profile: Profile
    header: list[str]
    columns: list[str | None]

    def header_of(self, name: str) -> str:
        """The file's own name for a field (messages name the column as the file does)."""
        for text, column in zip(self.header, self.columns, strict=True):
            if column == name:
                return text
        return name

    def values(self, cells: list[str]) -> dict[str, str]:
        return {
            name: value
            for name, value in zip(self.columns, cells, strict=False)
            if name is not None and value
        }

    @property
    def ignored(self) -> list[str]:
        return [
            text for text, name in zip(self.header, self.columns, strict=True) if text and not name
        ]


def apply(profile: Profile, header: list[str]) -> Mapping:
    """Each column's field by the profile: for each field, the first of its names the file
    has (a second column of the same name is ignored)."""
    position = {}
    for index, text in enumerate(header):
        position.setdefault(normal(text).strip("*\ufeff"), index)
    columns: list[str | None] = [None] * len(header)
    for name in FIELDS:
        for candidate in profile.header_names(name):
            index = position.get(normal(candidate))
            if index is not None and columns[index] is None:
                columns[index] = name
                break
    return Mapping(profile, header, columns)


def choose(header: list[str], code: str = "") -> Mapping:
    """The mapping of the named profile, or of the first profile whose required columns the
    file has; InvalidInput under "file" listing what each profile expected."""
    candidates = [PROFILES[code]] if code else list(PROFILES.values())
    for profile in candidates:
        mapping = apply(profile, header)
        if set(profile.required) <= set(mapping.columns):
            return mapping
    sep = pgettext("list separator", "、")
    expected = "；".join(
        _("%(profile)s需要列：%(required)s（可选：%(optional)s）")
        % {
            "profile": p.label,
            "required": sep.join(p.header_names(n)[0] for n in p.required),
            "optional": sep.join(
                p.header_names(n)[0] for n in FIELDS if n in p.headers and n not in p.required
            ),
        }
        for p in candidates
    )
    found = sep.join(text for text in header if text) or "—"
    raise refuse(
        _("无法识别表头：没有找到必填的列。%(expected)s。文件的表头是：%(found)s")
        % {"expected": expected, "found": found}
    )
