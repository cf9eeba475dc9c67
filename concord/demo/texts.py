"""Texts, weights and per-category profiles for the demo case generator (data only).

Placeholders filled by `concord.demo.content`:
  {who} 申请人/信访人/投诉人/求助人/来电人 by case type and channel; {a} the applicant, masked
  (张某); {b} the respondent, masked (李某, 某建材公司); {n} people count; {amount} money
  (3.6万元); {town} {village} {place}=town+village; {estate} a housing estate; {date} a recent
  day (3月12日); {since} a month in the past (2025年1月) and {months} how long ago it was;
  {years} {mu} {m2} {kid} {old} small numbers; {resident} 村民/居民 and {lane} 村道/小区道路.
A template: child category suffix (empty: the level-1 category itself), title, text, options:
  group (written for 5+ people; n = their range), resp (respondent: person / company / village /
  none), industry (a company respondent's trade), amount (yuan range; per_person multiplies it
  by {n}), risk (reasons it carries), genders (applicant, respondent: F / M / X), wage (peaks
  before the Spring Festival), old (the applicant is {old} years old), insurer (a third party).
"""

import datetime as dt

WHO = {
    "dispute": "申请人",
    "petition": "信访人",
    "complaint": "投诉人",
    "request": "求助人",
    "consultation": "来电人",
}
CHANNEL_PREFIX = {
    "grid": "网格员走访发现并上报：",
    "police_110": "110转来非警务警情：",
    "court_referral": "区人民法院委派诉前调解：",
    "hotline_12345": "12345热线转办：",
}

# Profiles: weight (share of cases), types (dispute, petition, complaint, request, consultation),
# group (chance of a 5+ people matter when the category has group templates), leads and assists
# (organisation codes; @town / @village = the case's town center / village committee),
# days (how long handling takes), court (lead org when the court refers the case), towns
# (where it happens, if not anywhere), rural (in a 村 rather than a 社区).
PROFILES: dict[str, dict] = {
    "family": dict(
        weight=13,
        types=(75, 5, 2, 10, 8),
        group=0,
        days=(2, 15),
        leads=(("@village", 5), ("@town", 4), ("family-mediation", 2)),
        assists=("women", "civil-affairs", "justice"),
        court="family-mediation",
    ),
    "neighbour": dict(
        weight=17,
        types=(80, 5, 5, 5, 5),
        group=0,
        days=(1, 12),
        leads=(("@village", 6), ("@town", 5)),
        assists=("justice", "police"),
    ),
    "labour": dict(
        weight=14,
        types=(70, 10, 8, 6, 6),
        group=0.3,
        days=(3, 25),
        leads=(("hrss", 3), ("labour-mediation", 3), ("@town", 4)),
        assists=("union", "court", "justice", "@town"),
    ),
    "land": dict(
        rural=True,
        weight=6,
        types=(60, 25, 3, 5, 7),
        group=0.15,
        days=(7, 45),
        leads=(("@town", 5), ("@village", 2), ("land-mediation", 2), ("natural-resources", 1)),
        assists=("natural-resources", "agriculture"),
    ),
    "demolition": dict(
        rural=True,
        weight=3,
        types=(35, 45, 8, 4, 8),
        group=0.35,
        days=(10, 60),
        leads=(("@town", 6), ("housing", 2), ("natural-resources", 1)),
        assists=("housing", "natural-resources", "justice"),
    ),
    "medical": dict(
        weight=3,
        types=(65, 10, 15, 3, 7),
        group=0,
        days=(15, 60),
        leads=(("medical-mediation", 8), ("health", 2)),
        assists=("health", "justice", "police"),
    ),
    "traffic": dict(
        weight=6,
        types=(80, 3, 2, 8, 7),
        group=0,
        days=(7, 40),
        leads=(("traffic-mediation", 7), ("police", 1), ("@town", 2)),
        assists=("police", "court", "justice"),
        court="traffic-mediation",
    ),
    "property": dict(
        weight=8,
        types=(45, 8, 35, 4, 8),
        group=0.3,
        days=(3, 30),
        leads=(("property-mediation", 4), ("@town", 4), ("housing", 2)),
        assists=("housing", "@town"),
        court="property-mediation",
    ),
    "consumer": dict(
        weight=6,
        types=(30, 3, 55, 4, 8),
        group=0.15,
        days=(2, 20),
        leads=(("consumer-mediation", 4), ("market", 5), ("@town", 1)),
        assists=("market",),
    ),
    "contract": dict(
        weight=9,
        types=(82, 3, 2, 5, 8),
        group=0,
        days=(5, 30),
        leads=(("@town", 4), ("lawyer-mediation", 3), ("enterprise-mediation", 2), ("court", 1)),
        assists=("court", "justice"),
        court="lawyer-mediation",
    ),
    "construction": dict(
        weight=4,
        types=(70, 10, 10, 4, 6),
        group=0.3,
        days=(7, 40),
        leads=(("construction-mediation", 4), ("housing", 2), ("@town", 3), ("hrss", 1)),
        assists=("housing", "hrss", "court"),
    ),
    "environment": dict(
        weight=4,
        types=(20, 15, 55, 5, 5),
        group=0.4,
        days=(3, 30),
        leads=(
            ("environment", 4),
            ("environment-mediation", 2),
            ("@town", 3),
            ("law-enforcement", 1),
        ),
        assists=("environment", "law-enforcement", "@town"),
    ),
    "fishery": dict(
        rural=True,
        weight=1,
        types=(65, 15, 8, 6, 6),
        group=0,
        days=(7, 40),
        leads=(("fishery-mediation", 5), ("agriculture", 3), ("@town", 2)),
        assists=("agriculture", "environment"),
        towns=("沥海街道", "盖北镇", "崧厦街道", "道墟街道", "谢塘镇"),
    ),
    "litigation": dict(
        weight=3,
        types=(5, 85, 4, 2, 4),
        group=0,
        days=(10, 50),
        leads=(("court", 5), ("procuratorate", 1), ("police", 2), ("justice", 2), ("petition", 2)),
        assists=("justice", "petition", "court"),
    ),
    "other": dict(
        weight=3,
        types=(25, 15, 20, 25, 15),
        group=0,
        days=(2, 20),
        leads=(
            ("@town", 6),
            ("civil-affairs", 2),
            ("transport", 1),
            ("education", 1),
            ("@village", 2),
        ),
        assists=("civil-affairs", "@town"),
    ),
}

TEMPLATES: dict[str, list[tuple[str, str, str, dict]]] = {
    "family": [
        (
            "marriage",
            "{a}反映夫妻矛盾要求调解离婚事宜",
            "{who}{a}反映，其与丈夫{b}结婚{years}年，近年来因家庭琐事及经济问题经常争吵，{b}多次酒后摔砸家中物品，"
            "双方已分居{months}个月。现{a}要求离婚，双方在子女抚养及房产分割上分歧较大，请求调解。",
            dict(resp="person", genders="FM", risk=("家庭矛盾有激化苗头",)),
        ),
        (
            "elderly-support",
            "{old}岁老人反映子女不履行赡养义务",
            "{who}{a}（{old}岁）反映，其育有子女三人，目前独居于{place}老屋，长子{b}等子女以各种理由相互推诿，"
            "近{months}个月未支付赡养费，生病住院费用亦无人承担，要求子女依法履行赡养义务。",
            dict(resp="person", genders="XM", old=True, risk=("涉及高龄老人权益",)),
        ),
        (
            "child-support",
            "{a}反映前夫拖欠子女抚养费",
            "{who}{a}反映，其与前夫{b}离婚后约定女儿由{a}抚养、{b}每月支付抚养费，但{b}已连续{months}个月未支付，"
            "累计拖欠{amount}，多次催讨无果，要求督促支付。",
            dict(resp="person", genders="FM", amount=(6000, 36000)),
        ),
        (
            "inheritance",
            "{a}反映兄弟姐妹间遗产分割纠纷",
            "{who}{a}反映，其父亲去世后在{place}留下房屋一处及存款若干，涉及遗产价值约{amount}，兄弟姐妹四人对分割意见不一，"
            "{b}占用房屋且拒不协商，家庭矛盾激化，要求调解。",
            dict(resp="person", amount=(200000, 1500000)),
        ),
        (
            "",
            "{a}反映与儿媳因家务琐事长期不和",
            "{who}{a}反映，其与儿媳{b}因照看孙子及家务分工等琐事长期不和，{date}双方发生激烈争吵并有推搡，"
            "{a}情绪低落，要求村里出面调解。",
            dict(resp="person", genders="FF", risk=("家庭矛盾有激化苗头",)),
        ),
    ],
    "neighbour": [
        (
            "boundary",
            "{a}反映邻居建房占地并堵塞排水沟",
            "{who}{a}反映，其与邻居{b}房屋相邻，{b}近期翻建房屋时将围墙向{a}家一侧外扩约半米，并堵塞原有排水沟，"
            "导致{a}家雨天院内积水，双方多次争执未果，要求调解。",
            dict(resp="person"),
        ),
        (
            "noise",
            "{a}反映楼上住户深夜噪音扰民",
            "{who}{a}反映，其居住的{estate}楼上住户{b}经常在深夜走动、搬动家具，噪音严重影响家人休息，"
            "多次上门沟通无果，双方已发生口角，要求协调处理。",
            dict(resp="person"),
        ),
        (
            "damage",
            "{a}反映楼上渗水致房屋受损",
            "{who}{a}反映，其居住的{estate}楼上{b}家卫生间长期渗水，导致{a}家天花板霉变、墙面脱落，估算损失{amount}，"
            "{b}拒绝维修及赔偿，要求调解。",
            dict(resp="person", amount=(3000, 30000)),
        ),
        (
            "",
            "{a}反映邻居空调外机正对卧室窗户",
            "{who}{a}反映，邻居{b}将空调外机安装在正对{a}家卧室窗户处，夏季热风和噪音影响居住，协商移机遭拒，要求调解。",
            dict(resp="person"),
        ),
        (
            "damage",
            "{a}反映被邻居家犬只咬伤",
            "{who}{a}反映，{date}其在{place}{lane}行走时被邻居{b}家未拴绳的狗咬伤小腿，花费医药费及误工损失约{amount}，"
            "{b}只愿承担部分费用，要求调解。",
            dict(resp="person", amount=(1500, 12000), risk=("涉及人身伤害",)),
        ),
        (
            "passage",
            "村民因宅前通道停车堵路发生争执推搡",
            "{date}晚，{place}{resident}{a}与{b}因宅前通道停车堵路发生争执并互相推搡，{a}手臂轻微擦伤。双方均要求对方赔礼道歉，"
            "情绪较为激动，需及时化解。",
            dict(resp="person", genders="MM", risk=("双方情绪激动，存在激化风险",)),
        ),
    ],
    "labour": [
        (
            "wage-arrears",
            "{n}名工人反映某工地拖欠工资",
            "{who}{a}等{n}人反映，其在{town}某建筑工地务工，{since}至今被{b}拖欠工资共计{amount}，多次讨要未果，"
            "要求帮助追讨。",
            dict(
                group=True,
                resp="company",
                industry="建筑劳务",
                amount=(6000, 40000),
                per_person=True,
                wage=True,
                genders="M",
            ),
        ),
        (
            "wage-arrears",
            "{n}名员工反映企业停工欠薪",
            "{who}{a}等{n}人反映，其系{b}员工，公司自{since}起经营困难，已连续{months}个月未发放工资，"
            "共计拖欠{amount}，目前厂区已停工、老板联系不上，要求协调解决。",
            dict(
                group=True,
                resp="company",
                industry="纺织",
                amount=(8000, 30000),
                per_person=True,
                wage=True,
                risk=("企业主失联",),
            ),
        ),
        (
            "wage-arrears",
            "{a}反映装修公司拖欠工资",
            "{who}{a}反映，其于{since}至今在{b}从事装修工作，工资按天结算，现对方以工程款未到位为由拖欠其工资{amount}，"
            "要求帮助追讨。",
            dict(resp="company", industry="装饰工程", amount=(5000, 40000), wage=True, genders="M"),
        ),
        (
            "injury",
            "{a}反映工伤赔偿纠纷",
            "{who}{a}反映，其在{b}上班期间于{date}被机器轧伤右手，经治疗后已出院，公司仅支付部分医疗费，"
            "对停工留薪期工资及后续赔偿约{amount}拒不协商，要求调解。",
            dict(resp="company", industry="机械", amount=(30000, 200000), risk=("涉及人身伤害",)),
        ),
        (
            "contract",
            "{a}反映被解除劳动关系未获经济补偿",
            "{who}{a}反映，其在{b}工作{years}年，公司以经营调整为由口头通知解除劳动关系，未支付经济补偿金，"
            "要求依法支付经济补偿约{amount}。",
            dict(resp="company", industry="电器", amount=(15000, 120000)),
        ),
        (
            "social-insurance",
            "{a}反映用人单位未缴纳社会保险",
            "{who}{a}反映，其在{b}工作{years}年，公司一直未为其缴纳社会保险，现其因病住院无法报销，"
            "要求公司补缴社保并承担相应损失。",
            dict(resp="company", industry="化纤"),
        ),
    ],
    "land": [
        (
            "contract",
            "{a}反映承包田被他人占种不还",
            "{who}{a}反映，其家在{place}承包的{mu}亩责任田被同村{b}耕种多年，现{a}要求收回自种，"
            "{b}以当年口头转包为由拒绝归还，双方争执不下，要求调解。",
            dict(resp="person"),
        ),
        (
            "homestead",
            "{a}反映邻居建房超占宅基地",
            "{who}{a}反映，其与同村{b}宅基地相邻，{b}建房时超出审批范围占用{a}家宅基地约{m2}平方米，"
            "要求依法确权并拆除超占部分。",
            dict(resp="person"),
        ),
        (
            "forest",
            "{n}户村民反映山林权属争议",
            "{who}{a}等{n}户村民反映，{place}一处约{mu}亩山林权属存在争议，{b}在未协商的情况下砍伐林木，"
            "村民要求停止砍伐并确认山林权属。",
            dict(group=True, n=(5, 40), resp="person"),
        ),
        (
            "compensation",
            "{a}反映外嫁女未分得征地补偿款",
            "{who}{a}反映，其户口一直在{place}，村里征地补偿款分配方案以外嫁女为由将其排除在外，未分得补偿款约{amount}，"
            "要求平等享受村民待遇。",
            dict(resp="village", genders="F", amount=(20000, 150000)),
        ),
    ],
    "demolition": [
        (
            "compensation",
            "{a}对房屋征收补偿评估有异议",
            "{who}{a}反映，其位于{place}的房屋列入征收范围，对评估的补偿金额{amount}有异议，"
            "认为评估面积未包含附属用房，要求重新核定。",
            dict(resp="none", amount=(300000, 2500000)),
        ),
        (
            "resettlement",
            "{n}户村民反映安置房逾期未交付",
            "{who}{a}等{n}户村民反映，{place}旧村改造项目安置房原定{since}交付，现已逾期{months}个月仍未交付，"
            "过渡费也未按时发放，要求尽快安置。",
            dict(group=True, n=(5, 40), resp="none", risk=("安置逾期，群众意见较大",)),
        ),
        (
            "compensation",
            "{a}反映加工厂停产停业损失补偿偏低",
            "{who}{a}反映，其经营的小型加工厂在征迁范围内，对停产停业损失补偿标准不认可，双方差距约{amount}，要求协调。",
            dict(resp="none", amount=(100000, 800000)),
        ),
    ],
    "medical": [
        (
            "malpractice",
            "患者家属反映住院期间死亡要求赔偿",
            "{who}{a}反映，其父亲于{date}在{b}住院期间病情突然恶化，经抢救无效死亡，家属认为医院存在延误诊治行为，"
            "要求赔偿{amount}。家属情绪激动，有聚集医院的苗头。",
            dict(
                resp="company",
                industry="医院",
                amount=(300000, 1200000),
                risk=("涉及患者死亡", "家属有聚集医院苗头"),
            ),
        ),
        (
            "malpractice",
            "{a}反映术后感染要求医院赔偿",
            "{who}{a}反映，其于{since}在{b}行膝关节置换手术，术后出现感染并二次手术，认为医院存在过错，"
            "要求赔偿医疗费、误工费等共计{amount}。",
            dict(resp="company", industry="医院", amount=(50000, 300000)),
        ),
        (
            "malpractice",
            "{a}反映孩子被误诊延误治疗",
            "{who}{a}反映，其{kid}岁的儿子因发热在{b}就诊被诊断为普通感冒，两天后病情加重转院确诊为肺炎，"
            "要求医院说明情况并赔偿。",
            dict(resp="company", industry="医院"),
        ),
        (
            "service",
            "{a}反映种植牙术后问题要求退费",
            "{who}{a}反映，其在{b}做种植牙手术后牙龈持续疼痛、种植体松动，要求退还费用{amount}并赔偿。",
            dict(resp="company", industry="口腔门诊部", amount=(8000, 40000)),
        ),
    ],
    "traffic": [
        (
            "compensation",
            "{a}反映交通事故骨折赔偿分歧大",
            "{who}{a}反映，{date}其驾驶电动自行车行至{town}某路口时与{b}驾驶的小型轿车发生碰撞，造成{a}左腿骨折。"
            "交警认定{b}负主要责任，双方对赔偿金额分歧较大，{a}要求赔偿{amount}，请求调解。",
            dict(resp="person", amount=(30000, 250000), insurer=True, risk=("涉及人身伤害",)),
        ),
        (
            "property",
            "{a}反映车辆被刮擦定损偏低",
            "{who}{a}反映，{date}其停放在{place}路边的车辆被{b}驾驶的货车刮擦，车辆维修费用约{amount}，"
            "对方保险公司定损金额偏低，要求协调。",
            dict(resp="person", amount=(3000, 30000), insurer=True),
        ),
        (
            "compensation",
            "交通事故致一人死亡家属要求赔偿",
            "{date}，{town}某路段发生一起致一人死亡的交通事故，死者家属{a}等{n}人要求肇事方{b}及保险公司赔偿{amount}，"
            "因赔偿金额分歧较大，家属情绪激动。",
            dict(
                group=True,
                n=(5, 12),
                resp="person",
                amount=(800000, 1600000),
                insurer=True,
                risk=("涉及人员死亡", "家属情绪激动"),
            ),
        ),
    ],
    "property": [
        (
            "fees",
            "{a}与物业公司因物业费问题产生矛盾",
            "{who}{a}反映，{estate}物业公司以其拖欠物业费为由停用其家门禁卡，{a}认为{b}服务不到位、小区环境差，"
            "拒绝缴费，双方矛盾激化，要求协调。",
            dict(resp="company", industry="物业服务"),
        ),
        (
            "service",
            "{n}名业主反映小区电梯频繁故障",
            "{who}{a}等{n}名业主反映，{estate}多栋楼电梯频繁故障，{since}以来多次困人，物业公司{b}维修不及时，"
            "维修资金使用程序迟迟未启动，要求尽快解决。",
            dict(group=True, resp="company", industry="物业服务", risk=("涉及公共安全",)),
        ),
        (
            "parking",
            "{a}反映物业擅自划设收费车位",
            "{who}{a}反映，{estate}物业公司{b}擅自将小区公共区域划为收费停车位并上调停车费，业主意见很大，"
            "要求公开收支并停止收费。",
            dict(resp="company", industry="物业服务"),
        ),
        (
            "quality",
            "{n}户业主反映新房渗水开发商拖延整改",
            "{who}{a}等{n}户业主反映，{estate}交付后普遍出现外墙渗水、地下室积水等问题，开发商{b}拖延整改，"
            "要求维修并赔偿损失。",
            dict(group=True, resp="company", industry="房地产开发"),
        ),
    ],
    "consumer": [
        (
            "prepaid",
            "{a}反映预付卡商家停业无法退款",
            "{who}{a}反映，其在{b}办理预付卡充值{amount}，现该店突然停业，剩余金额无法退还，与其情况相同的会员较多，"
            "要求帮助退款。",
            dict(
                resp="company",
                industry="健身",
                amount=(2000, 20000),
                risk=("预付式消费，涉众风险",),
            ),
        ),
        (
            "prepaid",
            "{n}名学员家长反映培训机构停课不退费",
            "{who}{a}等{n}名学员家长反映，{b}于{date}起突然停课，已缴纳的课时费共计{amount}无法退还，"
            "要求督促退费。",
            dict(
                group=True,
                resp="company",
                industry="教育培训",
                amount=(3000, 15000),
                per_person=True,
                risk=("预付式消费，涉众风险",),
            ),
        ),
        (
            "quality",
            "{a}反映新购冰箱质量问题商家拒绝退换",
            "{who}{a}反映，其在{b}购买的冰箱使用不到两个月即出现不制冷问题，商家多次维修后仍未解决，拒绝退换，"
            "要求退货退款{amount}。",
            dict(resp="company", industry="电器", amount=(2000, 9000)),
        ),
        (
            "quality",
            "{a}反映新车疑似事故车要求退车",
            "{who}{a}反映，其在{b}购买的新车提车后发现有喷漆修补痕迹，怀疑为事故车，要求退车或赔偿。",
            dict(resp="company", industry="汽车销售服务", amount=(80000, 300000)),
        ),
        (
            "service",
            "{a}反映装修公司拖延工期且质量差",
            "{who}{a}反映，其与{b}签订家庭装修合同并已支付工程款{amount}，但对方拖延工期{months}个月且存在质量问题，"
            "要求整改并赔偿。",
            dict(resp="company", industry="装饰工程", amount=(50000, 250000)),
        ),
    ],
    "contract": [
        (
            "loan",
            "{a}反映借款到期对方拖欠不还",
            "{who}{a}反映，{b}于{since}向其借款{amount}，约定一年内归还，到期后{b}以资金周转困难为由一直拖欠，"
            "多次催讨无果，要求调解。",
            dict(resp="person", amount=(20000, 500000)),
        ),
        (
            "sale",
            "{a}反映建材货款长期未结清",
            "{who}{a}反映，其经营的五金店自{since}起向{b}供应建材，累计货款{amount}未结清，对方以工程未结算为由拖延支付，"
            "要求调解。",
            dict(resp="company", industry="建筑工程", amount=(30000, 600000)),
        ),
        (
            "lease",
            "{a}反映承租人擅自转租并拖欠租金",
            "{who}{a}反映，其将位于{place}的房屋出租给{b}经营小吃店，租期未满{b}擅自转租他人并拖欠租金{amount}，"
            "要求解除合同并支付租金。",
            dict(resp="person", amount=(10000, 80000)),
        ),
        (
            "",
            "{a}反映货物运输途中受损对方拒赔",
            "{who}{a}反映，其委托{b}承运一批货物，运输途中货物受损，对方拒绝赔偿损失{amount}，要求调解。",
            dict(resp="company", industry="物流", amount=(5000, 120000)),
        ),
    ],
    "construction": [
        (
            "payment",
            "{a}反映厂房工程竣工后拖欠工程款",
            "{who}{a}反映，其承包{b}厂房钢结构工程，工程已于{since}竣工验收，尚欠工程款{amount}未支付，"
            "其手下{n}名工人的工资也因此无法发放，要求协调。",
            dict(
                group=True,
                resp="company",
                industry="实业",
                amount=(300000, 3000000),
                risk=("可能引发欠薪连锁反应",),
            ),
        ),
        (
            "quality",
            "{a}反映自建房墙体开裂包工头拒修",
            "{who}{a}反映，其委托{b}建造的农村自建房完工后出现墙体开裂、屋顶漏水，对方拒绝维修，要求返修并赔偿损失。",
            dict(resp="person", genders="MM"),
        ),
        (
            "damage",
            "{n}户村民反映工地打桩致房屋开裂",
            "{who}{a}等{n}户村民反映，{place}附近的{b}工地打桩施工导致周边多户房屋墙体开裂，要求施工方鉴定并赔偿。",
            dict(group=True, n=(5, 30), resp="company", industry="建设工程"),
        ),
    ],
    "environment": [
        (
            "air",
            "{n}名居民反映企业夜间排放刺激性废气",
            "{who}{a}等{n}名居民反映，{place}附近的{b}长期在夜间排放刺激性气味废气，居民关窗也无法入睡，"
            "多次投诉未果，要求查处。",
            dict(group=True, resp="company", industry="化工", risk=("环境信访易引发聚集",)),
        ),
        (
            "noise",
            "{a}反映工地夜间施工噪声扰民",
            "{who}{a}反映，{place}附近的{b}工地夜间连续施工，噪声严重扰民，要求限制夜间施工时间。",
            dict(resp="company", industry="建设工程"),
        ),
        (
            "water",
            "{a}反映企业偷排废水致河道发黑",
            "{who}{a}反映，{b}将生产废水排入{village}附近河道，河水发黑发臭并出现死鱼，要求查处并治理。",
            dict(resp="company", industry="印染"),
        ),
        (
            "waste",
            "{a}反映邻居堆放废旧塑料存在火灾隐患",
            "{who}{a}反映，邻居{b}在房前屋后堆放大量废旧塑料，气味难闻且存在火灾隐患，多次劝说无果，要求处理。",
            dict(resp="person"),
        ),
    ],
    "fishery": [
        (
            "pollution",
            "{a}反映鱼塘受废水污染鱼类死亡",
            "{who}{a}反映，其在{place}承包的{mu}亩鱼塘因上游{b}排放废水导致鱼类大面积死亡，损失约{amount}，要求赔偿。",
            dict(resp="company", industry="化工", amount=(20000, 300000)),
        ),
        (
            "waters",
            "{a}反映滩涂养殖区域界线争议",
            "{who}{a}反映，其与{b}在曹娥江滩涂养殖区域界线存在争议，{b}越界放置网箱，双方多次发生争执，要求划定界线。",
            dict(resp="person", genders="MM"),
        ),
        (
            "contract",
            "{a}反映渔船船主拖欠雇工工钱",
            "{who}{a}反映，其受雇于{b}在渔船上从事捕捞作业{months}个月，双方口头约定按月结算工钱，"
            "现船主以渔获不佳为由拖欠其工钱{amount}，要求调解。",
            dict(resp="person", genders="MM", amount=(8000, 60000)),
        ),
    ],
    "litigation": [
        (
            "enforcement",
            "{a}反映胜诉判决长期执行不到位",
            "{who}{a}反映，其与{b}民间借贷纠纷一案已于{since}经法院判决胜诉，但{b}至今未履行还款义务{amount}，"
            "申请执行后仍未执行到位，要求加大执行力度。",
            dict(resp="person", amount=(50000, 600000)),
        ),
        (
            "judgment",
            "{a}不服合同纠纷判决要求重审",
            "{who}{a}反映，其不服法院对其与{b}合同纠纷一案作出的二审判决，认为判决认定事实错误，多次到区、市信访，"
            "要求重新审理。",
            dict(resp="person", risk=("涉法涉诉重复信访",)),
        ),
        (
            "police",
            "{a}反映派出所处理治安案件不公",
            "{who}{a}反映，其于{date}向派出所报案称被{b}殴打，认为派出所处理不公、对方处罚过轻，要求重新处理。",
            dict(resp="person"),
        ),
    ],
    "other": [
        (
            "misc",
            "{a}反映村道路灯长期损坏",
            "{who}{a}反映，{place}村道路灯损坏已有{months}个月，夜间通行存在安全隐患，要求尽快修复。",
            dict(resp="none"),
        ),
        (
            "misc",
            "{a}反映户籍迁移受阻影响子女入学",
            "{who}{a}反映，其户籍迁移手续因历史原因无法办理，影响{kid}岁孩子入学，要求协调解决。",
            dict(resp="none"),
        ),
        (
            "misc",
            "{a}因家庭困难申请临时救助",
            "{who}{a}反映，其家庭困难，丈夫患重病长期住院，已花费医疗费{amount}，家中还有{kid}岁孩子需抚养，"
            "要求申请临时救助。",
            dict(resp="none", genders="F", amount=(30000, 200000)),
        ),
    ],
}

# Consultations: one person asking, no respondent: (child suffix, title, text).
CONSULTATIONS: dict[str, list[tuple[str, str, str]]] = {
    "family": [
        (
            "marriage",
            "咨询离婚财产分割问题",
            "{who}{a}咨询：婚前购买、婚后共同还贷的房屋在离婚时如何分割，需准备哪些材料。",
        )
    ],
    "neighbour": [
        (
            "boundary",
            "咨询相邻排水纠纷处理途径",
            "{who}{a}咨询：邻居建房堵塞原有排水沟，应向哪个部门反映，能否申请调解。",
        )
    ],
    "labour": [
        (
            "wage-arrears",
            "咨询欠薪维权途径",
            "{who}{a}咨询：务工单位拖欠工资两个月，应如何维权，是否需要先申请劳动仲裁。",
        ),
        (
            "injury",
            "咨询工伤认定程序",
            "{who}{a}咨询：工作中受伤后单位不申报工伤，个人能否自行申请工伤认定，时限是多久。",
        ),
    ],
    "land": [
        (
            "contract",
            "咨询土地承包经营权流转",
            "{who}{a}咨询：家中承包地流转给他人耕种，合同到期后对方不退还应如何处理。",
        )
    ],
    "demolition": [
        (
            "compensation",
            "咨询房屋征收补偿标准",
            "{who}{a}咨询：所在村列入征迁范围，附属用房和装修如何评估补偿。",
        )
    ],
    "medical": [
        (
            "malpractice",
            "咨询医疗纠纷调解程序",
            "{who}{a}咨询：对医院治疗结果有异议，如何申请医疗纠纷人民调解，是否收费。",
        )
    ],
    "traffic": [
        (
            "compensation",
            "咨询交通事故赔偿标准",
            "{who}{a}咨询：交通事故致人轻伤，误工费、护理费等赔偿项目如何计算。",
        )
    ],
    "property": [
        (
            "fees",
            "咨询物业费收费标准",
            "{who}{a}咨询：小区物业费上调是否需要业主大会同意，收费标准在哪里查询。",
        )
    ],
    "consumer": [
        (
            "prepaid",
            "咨询预付卡退费途径",
            "{who}{a}咨询：健身房办卡后不想继续消费，商家拒绝退还余额，应如何维权。",
        )
    ],
    "contract": [
        (
            "loan",
            "咨询民间借贷诉讼时效",
            "{who}{a}咨询：三年前借给朋友的钱一直未还，只有微信转账记录，现在起诉是否已过诉讼时效。",
        )
    ],
    "construction": [
        (
            "payment",
            "咨询工程款追讨途径",
            "{who}{a}咨询：分包工程完工后总包方拖欠工程款，能否向发包方主张。",
        )
    ],
    "environment": [
        (
            "noise",
            "咨询噪声污染投诉渠道",
            "{who}{a}咨询：附近工厂夜间生产噪声大，应向哪个部门投诉。",
        )
    ],
    "fishery": [
        (
            "contract",
            "咨询渔船雇工受伤赔偿",
            "{who}{a}咨询：在渔船上务工期间受伤，船主只愿支付部分医药费，应如何主张赔偿。",
        )
    ],
    "litigation": [
        (
            "enforcement",
            "咨询申请强制执行流程",
            "{who}{a}咨询：法院判决生效后对方不履行，如何申请强制执行，需要哪些材料。",
        )
    ],
    "other": [
        (
            "consultation",
            "咨询临时救助申请条件",
            "{who}{a}咨询：家人患重病导致家庭生活困难，申请临时救助需要什么条件。",
        )
    ],
}

# What the parties agreed (or what was done), by sub-category code; "" texts use the level-1 code.
SETTLEMENTS: dict[str, str] = {
    "family": "双方互谅互让，约定分开居住、互相尊重",
    "family-marriage": "双方就子女抚养及财产分割达成一致意见",
    "family-elderly-support": "子女自愿按月支付赡养费并轮流照料老人",
    "family-child-support": "{b}同意补付拖欠的抚养费并按月按时支付",
    "family-inheritance": "兄弟姐妹就房屋及存款的分割达成一致意见",
    "neighbour": "{b}同意将空调外机移位安装",
    "neighbour-boundary": "{b}同意拆除外扩围墙并恢复排水沟原状",
    "neighbour-noise": "双方约定夜间十点后避免发出噪音，{b}家中加铺地垫",
    "neighbour-damage": "{b}承担医药费（维修费）及部分损失，并向{a}赔礼道歉",
    "neighbour-passage": "双方约定宅前通道保持畅通，并互相赔礼道歉",
    "labour-wage-arrears": "被申请人同意于本月底前分两期付清拖欠工资",
    "labour-injury": "用人单位一次性支付工伤待遇及停工留薪期工资",
    "labour-contract": "用人单位一次性支付经济补偿金",
    "labour-social-insurance": "用人单位同意补缴社会保险并承担相应损失",
    "land-contract": "承包地由{a}收回，{b}获得适当青苗补偿",
    "land-homestead": "双方确认界址并签订协议，超占部分限期拆除",
    "land-forest": "双方确认山林界址，已砍伐林木按价补偿",
    "land-compensation": "村经济合作社按同等标准补发补偿款",
    "demolition-compensation": "重新核定附属用房面积后双方签订补偿协议",
    "demolition-resettlement": "明确安置房交付时间并补发过渡费",
    "medical-malpractice": "医方一次性补偿患方并签订人民调解协议",
    "medical-service": "门诊部退还部分费用并免费复诊",
    "traffic-compensation": "肇事方及保险公司一次性赔偿各项损失",
    "traffic-property": "保险公司按定损金额赔付，差额由肇事方承担",
    "property-fees": "物业公司限期整改并恢复门禁，业主补缴物业费",
    "property-service": "启用维修资金更换电梯主要部件",
    "property-parking": "物业公司暂停收费并公开停车收支",
    "property-quality": "开发商限期维修渗水部位并赔偿损失",
    "consumer-prepaid": "经营者同意退还剩余预付款",
    "consumer-quality": "商家同意退货退款并承担检测费用",
    "consumer-service": "施工方限期整改并赔偿延期损失",
    "contract": "承运方按货物损失金额的七成赔偿",
    "contract-loan": "{b}承诺分三期归还全部欠款",
    "contract-sale": "双方确认货款金额并约定分期付款计划",
    "contract-lease": "双方解除租赁合同，{b}补付所欠租金",
    "construction-payment": "发包方先行支付部分工程款，优先发放工人工资",
    "construction-quality": "施工方承担房屋返修费用",
    "construction-damage": "施工单位委托房屋安全鉴定并按鉴定结果赔偿",
    "environment-air": "企业限期整改废气处理设施并作出书面承诺",
    "environment-noise": "施工单位调整夜间施工时间",
    "environment-water": "企业停产整改并承担河道清淤费用",
    "environment-waste": "{b}限期清理堆放的废旧塑料",
    "fishery-pollution": "排污企业一次性赔偿养殖损失",
    "fishery-waters": "双方重新确认养殖区域界线",
    "fishery-contract": "船主分两次付清拖欠工钱",
    "litigation-enforcement": "双方达成执行和解，分期履行",
    "litigation-judgment": "当事人接受释法说理，表示息诉罢访",
    "litigation-police": "公安机关复核后重新作出处理，当事人表示接受",
    "other-misc": "相关部门已落实整改",
    "other-consultation": "已告知相关政策及办理途径",
}

REPLIES: dict[str, tuple[str, ...]] = {
    "mediated": (
        "经{org}组织双方调解，{settle}，双方签订人民调解协议书。",
        "经{org}多次组织调解，{settle}，协议已当场履行。",
        "经{org}组织调解，{settle}，已引导双方申请司法确认。",
    ),
    "mediation_failed": (
        "经{org}组织调解，双方分歧较大未能达成一致，已告知当事人可通过诉讼途径解决，"
        "并引导其申请法律援助。",
    ),
    "solved": ("经{org}协调处理，{settle}，问题已解决。", "经{org}督促落实，{settle}。"),
    "answered": (
        "已向当事人解释相关法律政策规定，当事人表示理解。",
        "已答复当事人，告知办理途径及所需材料。",
    ),
    "litigation": ("经调解未能达成一致，已引导当事人向区人民法院提起诉讼，并做好诉前衔接。",),
    "arbitration": ("经调解未果，已引导申请人向区劳动人事争议仲裁委员会申请仲裁。",),
    "administrative_review": ("已告知当事人可依法申请行政复议，并说明申请期限。",),
    "withdrawn": ("当事人双方自行协商解决，申请人撤回申请。",),
}
# Result weights by case type (arbitration is kept for labour disputes by the generator).
RESULTS: dict[str, dict[str, int]] = {
    "dispute": dict(
        mediated=62,
        mediation_failed=8,
        solved=10,
        answered=5,
        litigation=7,
        arbitration=4,
        withdrawn=4,
    ),
    "petition": dict(
        mediated=15,
        mediation_failed=2,
        solved=35,
        answered=43,
        litigation=3,
        administrative_review=1,
        withdrawn=1,
    ),
    "complaint": dict(
        mediated=15, mediation_failed=2, solved=58, answered=22, litigation=1, withdrawn=2
    ),
    "request": dict(mediated=5, solved=70, answered=24, withdrawn=1),
    "consultation": dict(solved=3, answered=97),
}

REFUSALS = (
    "该事项已进入诉讼程序，依法不予受理",
    "属于法院已生效判决事项，不属于人民调解受理范围",
    "诉求不明确，经告知补充材料后仍无法核实",
    "同一事项已在办理中，属重复登记",
)
REFERRALS = {
    "labour": "属劳动仲裁受理范围，已转区劳动人事争议仲裁委员会",
    "consumer": "已转区市场监管局12315平台处理",
    "litigation": "已转区人民法院诉讼服务中心",
    "family": "涉及家庭暴力，已转公安机关处理",
    "traffic": "已转区公安分局交警大队处理",
}
REFERRAL_DEFAULT = "不属本中心受理范围，已转相关职能部门处理"

# Why handling waits (挂起), by sub-category: appraisals and investigations take weeks.
PAUSES = {
    "medical-malpractice": "等待医疗损害鉴定结果",
    "traffic-compensation": "等待伤残等级鉴定结果",
    "labour-injury": "等待劳动能力鉴定结论",
    "labour-wage-arrears": "等待劳动保障监察调查结果",
    "land-forest": "等待山林权属调查结果",
    "land-homestead": "等待宅基地权属调查结果",
    "construction-quality": "等待房屋安全鉴定报告",
    "construction-damage": "等待房屋安全鉴定报告",
    "demolition-compensation": "等待评估机构复核结果",
}
PAUSE_DEFAULTS = ("当事人外出务工，暂时无法联系", "等待当事人补充证据材料")

ASSIST_ANSWERS = {
    "police": "已调取相关监控及出警记录，情况已反馈主办单位。",
    "hrss": "已核实用工情况，并督促用人单位限期支付。",
    "court": "已安排法官提前介入指导调解，调解协议可申请司法确认。",
    "justice": "已安排法律援助律师参与调解，提供法律意见。",
    "health": "已组织医疗质量专家出具意见，供调解参考。",
    "housing": "已核查相关合同及维修资金使用情况，意见已反馈。",
    "natural-resources": "已现场勘测并提供土地权属资料。",
    "market": "已约谈经营者，责令其依法处理消费者诉求。",
    "law-enforcement": "已现场检查并责令整改。",
    "environment": "已现场采样监测，对排污企业依法立案调查。",
    "union": "已指派工会法律援助律师参与。",
    "women": "已安排妇联执委参与调解，关注妇女儿童权益。",
}
ASSIST_DEFAULT = "已按要求配合核查，相关情况已反馈主办单位。"

# Return visits (回访): what the visit found, by satisfaction, else by result.
FOLLOW_UPS = {
    "dissatisfied": "回访了解，当事人对处理结果仍有意见，已做解释说明，将持续关注。",
    "basically_satisfied": "电话回访，当事人对结果基本认可，认为办理时间略长。",
    "mediated": "电话回访，当事人表示调解协议已履行完毕，对处理结果满意。",
    "solved": "上门回访，当事人反映问题已解决，矛盾未再反复。",
    "withdrawn": "回访了解，双方已自行和解，未再发生纠纷。",
    "answered": "电话回访，当事人对答复表示理解和满意。",
}
FOLLOW_UP_DEFAULT = "回访了解，当事人已按引导通过法定途径主张权利，情绪稳定。"
RATING_COMMENTS = {
    "satisfied": ("处理及时，工作人员很耐心", "感谢调解员的帮助", "问题解决了，非常满意"),
    "basically_satisfied": ("处理时间有点长", "结果还可以"),
    "dissatisfied": ("问题没有彻底解决", "赔偿金额太低"),
}
NOISE_RISKS = ("当事人情绪激动", "矛盾持续时间较长", "当事人多次来访")

COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐")
BRANDS_1 = "宏恒永华金东鸿瑞盛信嘉正通兴丰泰海远"
BRANDS_2 = "达信盛兴泰源晟祥发隆昌顺安辉"
ESTATES = (
    "江山名都",
    "锦绣花苑",
    "阳光新村",
    "滨江花园",
    "凤鸣小区",
    "龙山华府",
    "曹娥家园",
    "城东新村",
    "和园",
    "金色港湾",
)

# --- Weights ---------------------------------------------------------------------------------

CHANNELS = {
    "walk_in": 26,
    "phone": 14,
    "hotline_12345": 20,
    "grid": 18,
    "letter": 2,
    "police_110": 5,
    "online_petition": 5,
    "court_referral": 5,
    "portal": 3,
    "other": 2,
}
# The court only refers civil disputes; 110 hands over everyday quarrels.
CHANNEL_CATEGORIES = {
    "court_referral": ("contract", "family", "traffic", "property"),
    "police_110": ("neighbour", "family", "labour", "consumer", "traffic", "other"),
}
# Registered by whom: the organisation behind a channel when no demo account types it in.
CHANNEL_ORGS = {
    "police_110": "police",
    "hotline_12345": "hotline-12345",
    "online_petition": "petition",
}
TYPES = ("dispute", "petition", "complaint", "request", "consultation")
# Case volume by town: the two central 街道 are the most populous; unknown towns weigh 3.
TOWN_WEIGHTS = {
    "百官街道": 18,
    "曹娥街道": 14,
    "东关街道": 6,
    "崧厦街道": 6,
    "道墟街道": 5,
    "小越街道": 5,
    "章镇镇": 5,
    "丰惠镇": 5,
    "驿亭镇": 4,
    "梁湖街道": 4,
    "沥海街道": 4,
    "下管镇": 2,
    "永和镇": 2,
    "岭南乡": 1,
    "陈溪乡": 1,
}
SPRING_FESTIVAL = {
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
}
WEEKDAYS = (1.15, 1, 1, 1, 0.95, 0.5, 0.4)
# Hour of receipt: windows keep office hours, hotlines run late, 110 and portals never close.
OFFICE = (0,) * 8 + (6, 10, 10, 6, 2, 6, 9, 8, 4) + (0,) * 7
EXTENDED = (0,) * 7 + (2, 6, 9, 9, 6, 4, 7, 8, 7, 5, 4, 4, 3, 2, 1, 1, 0)
ALL_DAY = (1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 4, 5, 5, 5, 5, 5, 5, 5, 5, 4, 3, 2)
HOURS = {
    "walk_in": OFFICE,
    "letter": OFFICE,
    "court_referral": OFFICE,
    "grid": OFFICE,
    "phone": EXTENDED,
    "hotline_12345": EXTENDED,
    "other": EXTENDED,
}
# Status by age in days: recent cases are spread over the open states, older ones mostly closed.
AGE_STATUS = (
    (1, dict(registered=25, accepted=20, assigned=25, in_progress=25, resolved=5)),
    (
        7,
        dict(
            registered=4,
            accepted=5,
            assigned=12,
            in_progress=45,
            paused=6,
            resolved=20,
            refused=3,
            referred=5,
        ),
    ),
    (
        30,
        dict(
            accepted=1,
            assigned=3,
            in_progress=32,
            paused=8,
            resolved=25,
            rated=15,
            archived=10,
            refused=3,
            referred=3,
        ),
    ),
    (60, dict(in_progress=12, paused=6, resolved=15, rated=20, archived=40, refused=3, referred=4)),
    (
        float("inf"),
        dict(in_progress=2, paused=1, resolved=6, rated=10, archived=76, refused=2, referred=3),
    ),
)
SATISFACTION = {"satisfied": 91, "basically_satisfied": 7, "dissatisfied": 1.5}
SATISFACTION_AFTER_FAILURE = {"satisfied": 75, "basically_satisfied": 18, "dissatisfied": 7}
PEOPLE = {1: 80, 2: 14, 3: 6}  # people concerned, when not a group matter
SMALL_NUMBERS = {"years": (2, 25), "mu": (1, 8), "m2": (5, 40), "kid": (3, 15)}
CHANNEL_WHO = {"grid": "{resident}", "police_110": "报警人", "court_referral": "原告"}
CONSULTATION_WHO = {"walk_in": "来访人", "portal": "群众"}
# Visits the citizen had to make (零跑 / 跑一次): remote channels mostly need none.
REMOTE_VISITS = {0: 60, 1: 35, 2: 5}
VISITS = {
    "walk_in": {1: 85, 2: 11, 3: 4},
    "phone": REMOTE_VISITS,
    "hotline_12345": REMOTE_VISITS,
    "portal": REMOTE_VISITS,
    "online_petition": REMOTE_VISITS,
    "letter": REMOTE_VISITS,
    "other": {0: 20, 1: 80},
}
ASSIST_COUNT = {0: 65, 1: 30, 2: 5}  # assisting organisations per assigned case
