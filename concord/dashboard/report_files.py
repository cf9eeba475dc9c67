"""A report's two files: the XLSX of tables (one sheet per view) and the DOCX a leader reads,
with sentences, ranking tables and charts. Both from one `reports.Content`."""

from __future__ import annotations

import io
import re

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from concord.cases.export import safe_cell
from concord.core.dates import local_time

from . import kpis, report_charts
from .reports import Content, Line

# The columns of the DOCX ranking tables (the XLSX has every KPI).
RANKED = ["volume", "resolution_rate", "on_time_rate", "satisfaction_rate", "overdue_count"]
CN_NUMBERS = "一二三四五六七八九十"


def shown(figure: kpis.Figure) -> str:
    """A figure as read: "72.5%", "12件", or "样本不足（3件）" below the minimum sample."""
    if figure.value is None:
        return _("样本不足（%(n)d件）") % {"n": figure.n}
    if figure.unit == kpis.PERCENT:
        return f"{figure.value:g}%"
    return _("%(n)d件") % {"n": figure.value}


def _cell(figure: kpis.Figure):
    """A number where there is one, so the sheet can sum and sort; else the reason."""
    return figure.value if figure.value is not None else shown(figure)


def _heading(figure_or_kpi) -> str:
    unit = _("件") if figure_or_kpi.unit == kpis.COUNT else figure_or_kpi.unit
    return _("%(label)s（%(unit)s）") % {"label": figure_or_kpi.label, "unit": unit}


def _change(now: kpis.Figure, before: kpis.Figure) -> float | None:
    """Year on year: cases for counts, percentage points for rates."""
    if now.value is None or before.value is None:
        return None
    return round(now.value - before.value, 1)


def _days(content: Content) -> str:
    counted = content.counted
    text = _("%(first)s 至 %(last)s 受理的事项") % {
        "first": counted.first.isoformat(),
        "last": counted.last.isoformat(),
    }
    if content.partial:
        text += _("（本期尚未结束，统计至 %(last)s）") % {"last": counted.last.isoformat()}
    return text


def _ranking_note(content: Content) -> str:
    weights = " · ".join(f"{label} {weight:g}" for label, weight in content.weights)
    return _(
        "综合得分：按考核方案「%(scheme)s」的权重（%(weights)s）对本表指标计分，"
        "样本少于%(min)d件的指标不计分，其权重按比例分给其余指标；重新办理、踢皮球按占受理量的"
        "比例计，越低越好（100 − 比例）。化解率样本不足的不参与排名；得分相同时受理量多的在前。"
        "本表按期内受理的事项统计，"
        "与“考核排名”页按当月办理情况计算的得分口径不同。"
    ) % {"scheme": content.scheme.name, "weights": weights, "min": content.minimum}


def _sample_note(content: Content) -> str:
    return _("比率的样本少于%(min)d件时显示“样本不足”及样本数，不作为100%%或0%%。") % {
        "min": content.minimum
    }


# ---------------------------------------------------------------- XLSX


def workbook(content: Content) -> bytes:
    """Sheets 总体, 乡镇（街道） (村（社区） in a town's report), 部门, 分类, 渠道, 月度趋势. Text
    goes through safe_cell: names are whatever the admin typed."""
    book = Workbook(write_only=True)
    overall = _sheet(book, _("总体"), [28, 16, 10, 10, 16, 18])
    _preamble(overall, content.title, _("统计口径：") + _days(content), _sample_note(content))
    overall.append(
        _texts([_("指标"), _("本期"), _("分子"), _("样本"), _("上年同期"), _("同比增减")])
    )
    for key, figure in content.figures.items():
        before = content.last_year[key]
        overall.append(
            [
                safe_cell(_heading(figure)),
                safe_cell(_cell(figure)),
                figure.good,
                figure.n,
                safe_cell(_cell(before)),
                _change(figure, before),
            ]
        )
    _ranking_sheet(book, content.area_label, content.area_label, content, content.areas)
    _ranking_sheet(book, _("部门"), _("单位"), content, content.departments)
    _volume_sheet(book, _("分类"), _("类别"), content, content.categories)
    _volume_sheet(book, _("渠道"), _("来源渠道"), content, content.channels)
    trend = _sheet(book, _("月度趋势"), [12, 12, 14])
    _preamble(trend, content.title, _("近12个月受理量与上年同月对比"))
    trend.append(_texts([_("月份"), _("受理量"), _("上年同月")]))
    for month, this, before in content.trend:
        trend.append([f"{month:%Y-%m}", this, before])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: Workbook, title: str, widths: list[int]):
    # Sheet titles may not hold \ / * ? : [ ] nor pass 31 characters ("Town / subdistrict").
    sheet = book.create_sheet(re.sub(r"[\\/*?:\[\]]", "-", str(title))[:31])
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    return sheet


def _texts(values: list[str]) -> list:
    return [safe_cell(str(v)) for v in values]


def _preamble(sheet, *lines: str) -> None:
    for line in lines:
        sheet.append([safe_cell(line)])
    sheet.append([])


def _ranking_sheet(
    book: Workbook, title: str, name: str, content: Content, lines: list[Line]
) -> None:
    sheet = _sheet(book, title, [8, 26, 10] + [14] * len(kpis.KPIS))
    _preamble(sheet, content.title, _ranking_note(content), _sample_note(content))
    sheet.append(_texts([_("排名"), name, _("综合得分")] + [_heading(k) for k in kpis.KPIS]))
    for line in lines:
        sheet.append(
            [line.rank, safe_cell(line.name), line.score]
            + [safe_cell(_cell(line.figures[k.key])) for k in kpis.KPIS]
        )
    if not lines:
        sheet.append([None, safe_cell(_("本期无数据"))])


def _volume_sheet(
    book: Workbook, title: str, name: str, content: Content, items: list[tuple[str, int]]
) -> None:
    sheet = _sheet(book, title, [24, 10, 10])
    _preamble(sheet, content.title, _("统计口径：") + _days(content))
    sheet.append(_texts([name, _("受理量"), _("占比（%）")]))
    total = sum(n for _name, n in items)
    for label, n in items:
        sheet.append([safe_cell(label), n, round(100 * n / total, 1)])
    sheet.append(_texts([_("合计")]) + [total, 100.0 if total else None])


# ---------------------------------------------------------------- DOCX


def document(content: Content) -> bytes:
    """The report a leader reads: 总体情况 with the KPI table and charts, the rankings of the
    towns (villages) and the departments, and how the figures are counted."""
    from docx import Document as Word
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    word = Word()
    _fonts(word, Pt)
    title = word.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(content.title)
    run.bold, run.font.size = True, Pt(18)
    made = word.add_paragraph(
        _("统计口径：%(days)s　生成时间：%(at)s")
        % {"days": _days(content), "at": local_time(content.made_at)}
    )
    made.alignment = WD_ALIGN_PARAGRAPH.CENTER
    charts = _Charts(word, Cm)

    _section(word, 1, _("总体情况"))
    word.add_paragraph(_overview(content))
    word.add_paragraph(_rates(content))
    rows = [
        [f.label, shown(f), shown(content.last_year[f.key]), _signed(f, content)]
        for f in content.figures.values()
    ]
    _table(word, [_("指标"), _("本期"), _("上年同期"), _("同比增减")], rows)
    months = [m for m, _this, _before in content.trend]
    charts.add(
        report_charts.trend(
            _("近12个月受理量（件）"),
            months,
            [this for _m, this, _b in content.trend],
            [before for _m, _t, before in content.trend],
            (_("本期"), _("上年同期")),
        ),
        _("近12个月受理量与上年同期对比"),
    )
    if content.categories:
        charts.add(
            report_charts.bars(_("各类别受理量（件）"), content.categories, _("件")),
            _("按类别分的受理量"),
        )
    if content.channels:
        word.add_paragraph(_channels(content))

    for number, (lines, noun) in enumerate(
        [(content.areas, content.area_label), (content.departments, _("部门"))], 2
    ):
        _section(word, number, _("各%(noun)s排名") % {"noun": noun})
        word.add_paragraph(_ranking_text(lines, noun))
        if lines:
            head = [_("排名"), noun, _("综合得分")] + [str(kpis.BY_KEY[k].label) for k in RANKED]
            _table(
                word,
                head,
                [
                    [
                        str(line.rank or "—"),
                        line.name,
                        f"{line.score:g}" if line.score is not None else "—",
                    ]
                    + [shown(line.figures[key]) for key in RANKED]
                    for line in lines
                ],
            )
        if lines is content.areas and any(line.figures["volume"].n for line in lines):
            volumes = sorted(
                ((line.name, line.figures["volume"].n) for line in lines),
                key=lambda item: -item[1],
            )
            charts.add(
                report_charts.bars(
                    _("各%(areas)s受理量（件）") % {"areas": content.area_label}, volumes, _("件")
                ),
                _("各%(areas)s受理量") % {"areas": content.area_label},
            )

    _section(word, 4, _("说明"))
    word.add_paragraph(_("统计口径：") + _days(content) + _("，不含已并案的重复事项。"))
    word.add_paragraph(_sample_note(content))
    word.add_paragraph(_ranking_note(content))
    word.core_properties.title = content.title
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


class _Charts:
    """Numbered figures (图1, 图2 …) with their captions, at the page's text width."""

    def __init__(self, word, cm):
        self.word, self.cm, self.count = word, cm, 0

    def add(self, png: bytes, caption: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        self.count += 1
        self.word.add_picture(io.BytesIO(png), width=self.cm(16))
        self.word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        text = _("图%(n)d　%(caption)s") % {"n": self.count, "caption": caption}
        self.word.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.CENTER


def _fonts(word, pt) -> None:
    from docx.oxml.ns import qn

    style = word.styles["Normal"]
    style.font.name, style.font.size = "仿宋", pt(12)
    # Word picks Chinese letters from the East Asian font, which `font.name` leaves alone.
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")


def _section(word, number: int, heading: str) -> None:
    run = word.add_paragraph().add_run(f"{CN_NUMBERS[number - 1]}、{heading}")
    run.bold = True


def _table(word, head: list[str], rows: list[list[str]]) -> None:
    from docx.shared import Pt

    table = word.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    word.add_paragraph()


def _signed(figure: kpis.Figure, content: Content) -> str:
    change = _change(figure, content.last_year[figure.key])
    if change is None:
        return "—"
    unit = _("个百分点") if figure.unit == kpis.PERCENT else _("件")
    return f"{change:+g}{unit}"


def _overview(content: Content) -> str:
    volume, before = content.figures["volume"].n, content.last_year["volume"].n
    text = _("%(period)s，%(division)s共受理矛盾纠纷%(n)d件") % {
        "period": content.period.label,
        "division": content.division.name,
        "n": volume,
    }
    if before == 0:
        return text + _("，上年同期无受理。")
    diff = volume - before
    if diff == 0:
        return text + _("，与上年同期（%(before)d件）持平。") % {"before": before}
    words = (
        _("，较上年同期（%(before)d件）增加%(diff)d件，增长%(pct)g%%。")
        if diff > 0
        else _("，较上年同期（%(before)d件）减少%(diff)d件，下降%(pct)g%%。")
    )
    return text + words % {
        "before": before,
        "diff": abs(diff),
        "pct": round(100 * abs(diff) / before, 1),
    }


def _rates(content: Content) -> str:
    figures = [f for f in content.figures.values() if f.key != "volume"]
    rates = "，".join(f"{f.label}{shown(f)}" for f in figures if f.unit == kpis.PERCENT)
    counts = "，".join(f"{f.label}{shown(f)}" for f in figures if f.unit != kpis.PERCENT)
    return _("其中%(rates)s；%(counts)s。") % {"rates": rates, "counts": counts}


def _channels(content: Content) -> str:
    total = sum(n for _label, n in content.channels)
    parts = "，".join(
        f"{label}（{n}件，{100 * n / total:.1f}%）" for label, n in content.channels[:5]
    )
    return _("从来源渠道看，%(parts)s。") % {"parts": parts}


def _ranking_text(lines: list[Line], noun: str) -> str:
    ranked = [line for line in lines if line.rank]
    if not lines:
        return _("本期无数据。")
    parts = []
    if ranked:
        top = "、".join(f"{line.name}（{line.score:g}分）" for line in ranked[:3])
        parts.append(_("综合得分居前的是%(top)s") % {"top": top})
        if len(ranked) > 6:
            bottom = "、".join(f"{line.name}（{line.score:g}分）" for line in ranked[-3:])
            parts.append(_("居后的是%(bottom)s") % {"bottom": bottom})
    busiest = max(lines, key=lambda line: line.figures["volume"].n)
    if busiest.figures["volume"].n:
        parts.append(
            _("受理量最多的是%(name)s（%(n)d件）")
            % {"name": busiest.name, "n": busiest.figures["volume"].n}
        )
    unranked = len(lines) - len(ranked)
    if unranked:
        parts.append(
            _("另有%(n)d个%(noun)s因化解率样本不足未参与排名") % {"n": unranked, "noun": noun}
        )
    return "；".join(parts) + "。"
