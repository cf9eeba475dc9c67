"""Labelled texts for tests and bench/triage_eval.py: the demo case templates filled with
random values, and what clerks type in their own words (hand-written below). Nothing is
downloaded. Rows are (source_id, category code, description)."""

from __future__ import annotations

import random

from concord.demo import texts as T

TOWNS = ("百官街道", "曹娥街道", "东关街道", "崧厦街道", "章镇镇", "丰惠镇", "汤浦镇", "驿亭镇")
VILLAGES = ("新建村", "联江村", "五星社区", "南湖社区", "凤鸣村", "大勤村", "金山村")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗"

# Short, colloquial, sometimes misspelt: how a window clerk types while the citizen talks.
HANDWRITTEN: list[tuple[str, str]] = [
    ("family-marriage", "老公天天喝酒打人，想离婚，孩子归谁"),
    ("family-marriage", "夫妻吵架闹离婚，女方回娘家不肯回来，彩礼要退一部分"),
    ("family-elderly-support", "老母亲八十多了，三个儿子互相推，谁都不管生活费"),
    ("family-elderly-support", "父亲住院没人照顾，兄弟几个不愿意出钱"),
    ("family-child-support", "离婚后前夫一直不给孩子抚养费，已经一年多了"),
    ("family-inheritance", "爷爷去世留下老房子，叔叔想一个人占了，兄妹分遗产吵起来"),
    ("neighbour-boundary", "隔壁造房子把墙砌到我家地上来了"),
    ("neighbour-passage", "对门在过道上装了铁门，我们家进出不方便"),
    ("neighbour-passage", "后面人家新房挡住我家阳光，屋里白天都要开灯"),
    ("neighbour-noise", "楼上半夜跳来跳去，敲墙，睡不着觉，说了几次不听"),
    ("neighbour-damage", "邻居家的狗把我家鸡咬死了五只，不肯赔"),
    ("neighbour-damage", "楼上卫生间漏水，把我家吊顶泡坏了"),
    ("labour-wage-arrears", "在厂里干了半年，老板跑了，工钱一分没拿到"),
    ("labour-wage-arrears", "包工头欠我们十几个人的工钱，快过年了要回家"),
    ("labour-injury", "上班时候手被机器压了，厂里只给了医药费"),
    ("labour-contract", "公司突然叫我明天别来了，没给补偿"),
    ("labour-social-insurance", "干了五年，厂里从来没交过社保，现在要退休了"),
    ("land-contract", "我家的田被村里别人种了好几年，不还"),
    ("land-homestead", "宅基地证上的面积和实际不一样，和隔壁争"),
    ("land-forest", "山上的竹林被人砍了，说是他家的山"),
    ("land-compensation", "征地的钱村里分的时候没有我们出嫁的女儿的份"),
    ("demolition-compensation", "拆迁评估价太低了，周边房子都不止这个价"),
    ("demolition-resettlement", "安置房说好去年交房，到现在还没动工"),
    ("demolition-illegal-building", "邻居在院子里违章搭了个棚子，城管不管"),
    ("medical-malpractice", "在医院做了个小手术，出来感染了，医院不认"),
    ("medical-service", "医生态度很差，排了半天队说下班了"),
    ("medical-fees", "住院费用清单里好多项目没用过也收了钱"),
    ("traffic-compensation", "被电瓶车撞了，腿骨折，对方只肯出一点钱"),
    ("traffic-property", "停在路边的车被人刮了，对方逃了，有监控"),
    ("traffic-insurance", "出了事故保险公司拖着不给赔"),
    ("property-fees", "物业天天来催物业费，可是小区卫生一塌糊涂"),
    ("property-service", "小区门口保安不管事，外面的人随便进"),
    ("property-parking", "小区车位被外人占了，物业不管，停车费还涨了"),
    ("property-quality", "新房子墙面开裂，开发商不给修"),
    ("consumer-prepaid", "健身房关门了，卡里还有三千多块钱"),
    ("consumer-prepaid", "孩子的培训班老板跑路了，学费退不回来"),
    ("consumer-quality", "网上买的冰箱用了一个月就坏了，商家不给换"),
    ("consumer-service", "婚庆公司收了定金，婚礼当天人没来"),
    ("contract-loan", "朋友借了我五万块，打了借条，两年了不还"),
    ("contract-sale", "卖给他们的苗木，货款一直拖着不付"),
    ("contract-lease", "房东不退押金，说我把墙弄脏了"),
    ("construction-payment", "给人家装修完了，尾款拖着不给"),
    ("construction-quality", "请人修的屋顶一下雨就漏"),
    ("construction-damage", "旁边工地打桩，把我家房子震出裂缝"),
    ("environment-air", "村口那家厂晚上偷偷排气，一股化工臭味"),
    ("environment-noise", "隔壁工地晚上十点多还在施工，吵得不行"),
    ("environment-water", "河里的水突然变黑了，鱼都死了，上游有个厂"),
    ("environment-waste", "有人往我们村后山倒建筑垃圾"),
    ("fishery-pollution", "鱼塘的鱼一夜之间死了一大片，怀疑厂里排水"),
    ("fishery-waters", "两个村为了一片滩涂养殖吵起来了"),
    ("fishery-contract", "在渔船上干了一季，船老大不给工钱"),
    ("litigation-enforcement", "官司赢了两年了，钱一分没执行回来"),
    ("litigation-judgment", "对法院判决不服，觉得法官偏向对方"),
    ("litigation-police", "被人打了，派出所处理结果不公平"),
    ("other-consultation", "想问一下残疾证怎么办，需要什么材料"),
    ("other-misc", "村里的路灯坏了好几个月了没人修"),
]


def _values(rng: random.Random) -> dict:
    town, village = rng.choice(TOWNS), rng.choice(VILLAGES)
    a, b = rng.choice(SURNAMES) + "某", rng.choice(SURNAMES) + "某"
    amount = rng.choice((3000, 8600, 15000, 36000, 120000, 580000))
    values = {
        "who": rng.choice(("申请人", "信访人", "投诉人", "来电人", "村民")),
        "a": a,
        "b": b if rng.random() < 0.6 else f"某{rng.choice(('建材', '机械', '纺织', '物业'))}公司",
        "n": rng.randint(5, 40),
        "amount": f"{amount / 10000:g}万元" if amount >= 10000 else f"{amount}元",
        "town": town,
        "village": village,
        "place": town + village,
        "estate": rng.choice(T.ESTATES),
        "resident": "村民",
        "lane": "村道",
        "date": f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
        "since": f"{rng.randint(2023, 2025)}年{rng.randint(1, 12)}月",
        "months": rng.randint(2, 14),
        "old": rng.randint(72, 93),
    }
    return values | {key: rng.randint(*span) for key, span in T.SMALL_NUMBERS.items()}


def _templates() -> list[tuple[str, str, str]]:
    """(category code, title, text) of every demo template and consultation."""
    found = []
    for cat, templates in T.TEMPLATES.items():
        for child, title, text, _opts in templates:
            found.append((f"{cat}-{child}" if child else cat, title, text))
    for cat, consultations in T.CONSULTATIONS.items():
        for child, title, text in consultations:
            found.append((f"{cat}-{child}" if child else cat, title, text))
    return found


def labelled_rows(per_template: int = 20, *, seed: int = 0) -> list[tuple[str, str, str]]:
    """Rows (source_id, code, description). Each template filled `per_template` times, in three
    lengths a clerk may have typed when the suggestion is asked for: the whole text, its
    first clause, or the title; then each hand-written text once."""
    rng = random.Random(seed)
    rows = []
    for code, title, text in _templates():
        for _ in range(per_template):
            values = _values(rng)
            full = text.format(**values)
            shape = rng.random()
            if shape < 0.5:
                description = rng.choice(("", *T.CHANNEL_PREFIX.values())) + full
            elif shape < 0.8:
                description = full.split("，")[0] + "，" + full.split("，")[1]
            else:
                description = title.format(**values)
            rows.append((f"T{len(rows) + 1:06d}", code, description))
    for code, text in HANDWRITTEN:
        rows.append((f"H{len(rows) + 1:06d}", code, text))
    return rows
