"""The labels of the passport page in English, German and Chinese, and the choice among them.

Only the page's own words are translated; what the passport says (names, descriptions,
addresses) is shown as signed. A label missing in a language falls back to English, and a test
checks that none is missing.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "DEFAULT_LANGUAGE",
    "FIELD_TEXT",
    "HTML_LANG",
    "LANGUAGES",
    "TEXT",
    "field_text",
    "negotiate_language",
    "text",
]

LANGUAGES: Final = ("en", "de", "zh")
"""The languages of the page labels, the default first."""

DEFAULT_LANGUAGE: Final = "en"

HTML_LANG: Final = {"en": "en", "de": "de", "zh": "zh-Hans"}
"""The ``lang`` attribute (BCP 47) of each language: the Chinese labels are simplified."""

# key -> (English, German, Chinese)
TEXT: Final[dict[str, tuple[str, str, str]]] = {
    # page frame
    "page_title": ("Battery passport", "Batteriepass", "电池护照"),
    "skip": ("Skip to the passport", "Zum Batteriepass springen", "跳至电池护照"),
    "language": ("Language", "Sprache", "语言"),
    "not_verified_title": ("NOT VERIFIED", "NICHT VERIFIZIERT", "未通过验证"),
    "footer_regulation": (
        "Battery passport under Regulation (EU) 2023/1542, Art. 77 and Annex XIII.",
        "Batteriepass nach Verordnung (EU) 2023/1542, Art. 77 und Anhang XIII.",
        "依据欧盟法规 (EU) 2023/1542 第 77 条及附件 XIII 的电池护照。",
    ),
    "footer_generated": ("Page generated at", "Seite erzeugt am", "页面生成时间"),
    # verification
    "verification": ("Verification", "Verifizierung", "验证"),
    "verified_ok": ("Signature verified", "Signatur verifiziert", "签名已验证"),
    "signed_by": ("Signed by", "Signiert von", "签署方"),
    "key_id": ("key", "Schlüssel", "密钥"),
    "verified_by_server": (
        "verified by this server at",
        "von diesem Server verifiziert am",
        "本服务器验证时间",
    ),
    "against_trust_list": (
        "against its trust list",
        "gegen seine Vertrauensliste",
        "依据其信任列表",
    ),
    "trust_list": ("trust list", "Vertrauensliste", "信任列表"),
    "signing_time": ("Signing time checked", "Geprüfter Signaturzeitpunkt", "所核验的签名时间"),
    "not_verified_lead": (
        "The signature of this passport does not verify against this server's trust list",
        "Die Signatur dieses Batteriepasses lässt sich gegen die Vertrauensliste dieses "
        "Servers nicht verifizieren",
        "本电池护照的签名无法依据本服务器的信任列表通过验证",
    ),
    "checked_at": ("checked at", "geprüft am", "核验时间"),
    "reason": ("Reason", "Grund", "原因"),
    "do_not_rely": (
        "Do not rely on the data shown below: it is not confirmed by a trusted signature.",
        "Verlassen Sie sich nicht auf die folgenden Angaben: Sie sind durch keine "
        "vertrauenswürdige Signatur bestätigt.",
        "请勿依赖以下数据：这些数据未经可信签名确认。",
    ),
    "verify_yourself": ("Verify it yourself", "Selbst prüfen", "自行验证"),
    "download_signed": (
        "Download the signed passport",
        "Signierten Batteriepass herunterladen",
        "下载已签名的电池护照",
    ),
    "download_trust": (
        "Download the trust list",
        "Vertrauensliste herunterladen",
        "下载信任列表",
    ),
    "no_signed_copy": (
        "No signed copy can be given for this view: the passport was signed as a whole, and "
        "its signature covers data this audience may not see (Art. 77(2)).",
        "Für diese Sicht kann keine signierte Kopie ausgegeben werden: Der Batteriepass wurde "
        "als Ganzes signiert, und die Signatur deckt Daten ab, die diese Zielgruppe nicht "
        "sehen darf (Art. 77 Abs. 2).",
        "此视图无法提供签名副本：电池护照是整体签名的，其签名涵盖了该受众无权查看的数据"
        "（第 77(2) 条）。",
    ),
    "qr_title": ("QR code of this passport", "QR-Code dieses Batteriepasses", "本护照的二维码"),
    "qr_alt": (
        "QR code with the link to this battery passport",
        "QR-Code mit dem Link zu diesem Batteriepass",
        "指向本电池护照链接的二维码",
    ),
    "verify_offline": (
        "then verify it offline with the batterypass command line:",
        "und dann offline mit der batterypass-Kommandozeile prüfen:",
        "然后使用 batterypass 命令行离线验证：",
    ),
    # audience
    "audience_shown": ("View shown", "Angezeigte Sicht", "当前视图"),
    "audience_public": ("Public", "Öffentlichkeit", "公众"),
    "audience_legitimate-interest": (
        "Persons with a legitimate interest",
        "Personen mit berechtigtem Interesse",
        "具有合法利益的人员",
    ),
    "audience_authority": (
        "Notified bodies and market surveillance authorities",
        "Notifizierte Stellen und Marktüberwachungsbehörden",
        "公告机构和市场监督机构",
    ),
    "audience_commission": ("European Commission", "Europäische Kommission", "欧盟委员会"),
    "groups_shown": ("data groups shown", "angezeigte Datengruppen", "显示的数据组"),
    "token_for": ("access token of", "Zugangstoken von", "访问令牌持有方"),
    "purpose": ("purpose", "Zweck", "用途"),
    "public_only": (
        "Only public information (Annex XIII, point 1) is shown. Other data need an access "
        "token (Art. 77(2)).",
        "Es werden nur öffentliche Angaben (Anhang XIII Nummer 1) gezeigt. Weitere Daten "
        "erfordern ein Zugangstoken (Art. 77 Abs. 2).",
        "仅显示公开信息（附件 XIII 第 1 点）。其他数据需要访问令牌（第 77(2) 条）。",
    ),
    # identity
    "identity": ("Identity", "Identität", "身份信息"),
    "battery_model": ("Battery model", "Batteriemodell", "电池型号"),
    "category": ("Category", "Kategorie", "类别"),
    "manufacturer": ("Manufacturer", "Hersteller", "制造商"),
    "operator": ("Economic operator", "Wirtschaftsakteur", "经济经营者"),
    "manufacturing_place": ("Place of manufacture", "Herstellungsort", "制造地点"),
    "manufacturing_date": ("Date of manufacture", "Herstellungsdatum", "制造日期"),
    "status": ("Status", "Status", "状态"),
    "mass": ("Mass", "Masse", "质量"),
    "chemistry": ("Chemistry", "Chemie", "化学体系"),
    "warranty": (
        "Commercial warranty (calendar life)",
        "Gewerbliche Garantie (kalendarische Lebensdauer)",
        "商业保修期（日历寿命）",
    ),
    "battery_id": ("Battery identifier", "Batteriekennung", "电池标识符"),
    "gtin": ("GTIN", "GTIN", "GTIN"),
    "serial": ("Serial number", "Seriennummer", "序列号"),
    "passport_id": ("Passport identifier", "Batteriepasskennung", "护照标识符"),
    "issued_at": ("Passport issued", "Batteriepass ausgestellt", "护照签发时间"),
    "issuer": ("Issuer", "Aussteller", "签发方"),
    "months": ("months", "Monate", "个月"),
    "stationary": (
        "stationary battery energy storage system",
        "stationäres Batterie-Energiespeichersystem",
        "固定式电池储能系统",
    ),
    "cat_portable": ("portable battery", "Gerätebatterie", "便携式电池"),
    "cat_lmt": (
        "LMT battery (light means of transport)",
        "LV-Batterie (leichtes Verkehrsmittel)",
        "轻型交通工具电池",
    ),
    "cat_sli": ("SLI battery", "SLI-Batterie", "SLI 电池"),
    "cat_industrial": ("industrial battery", "Industriebatterie", "工业电池"),
    "cat_ev": ("electric vehicle battery", "Elektrofahrzeugbatterie", "电动汽车电池"),
    "st_original": ("original", "Original", "原始"),
    "st_repurposed": ("repurposed", "umgenutzt", "改变用途"),
    "st_re-used": ("re-used", "wiederverwendet", "再使用"),
    "st_remanufactured": ("remanufactured", "wiederaufbereitet", "再制造"),
    "st_waste": ("waste", "Abfall", "废弃"),
    # carbon footprint
    "carbon": ("Carbon footprint", "CO₂-Fußabdruck", "碳足迹"),
    "carbon_total": (
        "Carbon footprint per functional unit",
        "CO₂-Fußabdruck je funktioneller Einheit",
        "每功能单位碳足迹",
    ),
    "carbon_class": ("Performance class", "Leistungsklasse", "性能等级"),
    "carbon_scheme": ("Class scheme", "Klassenschema", "等级方案"),
    "illustrative": (
        "ILLUSTRATIVE, NOT REGULATORY",
        "NUR ZUR VERANSCHAULICHUNG, NICHT AMTLICH",
        "仅为示意，非法规等级",
    ),
    "illustrative_note": (
        "The EU class limits (Art. 7(2)) are not published yet; this scheme is an example.",
        "Die EU-Klassengrenzen (Art. 7 Abs. 2) sind noch nicht veröffentlicht; dieses Schema "
        "ist ein Beispiel.",
        "欧盟等级界限（第 7(2) 条）尚未公布；此方案仅为示例。",
    ),
    "class_not_confirmed": (
        "This server could not confirm the declared class",
        "Dieser Server konnte die angegebene Klasse nicht bestätigen",
        "本服务器无法确认所声明的等级",
    ),
    "stage": ("Lifecycle stage", "Lebenszyklusphase", "生命周期阶段"),
    "value": ("Value", "Wert", "数值"),
    "stage_raw-material-acquisition": (
        "Raw material acquisition and pre-processing",
        "Rohstoffgewinnung und Vorverarbeitung",
        "原材料获取和预处理",
    ),
    "stage_main-production": ("Main product production", "Hauptproduktion", "主要产品生产"),
    "stage_distribution": ("Distribution", "Vertrieb", "分销"),
    "stage_end-of-life": (
        "End of life and recycling",
        "Lebensende und Recycling",
        "寿命终止和回收",
    ),
    "carbon_absolute": (
        "Absolute carbon footprint",
        "Absoluter CO₂-Fußabdruck",
        "绝对碳足迹",
    ),
    "carbon_study": ("Carbon footprint study", "CO₂-Fußabdruck-Studie", "碳足迹研究报告"),
    "label_alt": (
        "Carbon footprint label",
        "CO₂-Fußabdruck-Etikett",
        "碳足迹标签",
    ),
    "class_word": ("class", "Klasse", "等级"),
    "scheme_word": ("scheme", "Schema", "方案"),
    # recycled content
    "recycled": ("Recycled content", "Rezyklatanteil", "再生材料含量"),
    "recycled_at": (
        "Art. 8 minimum shares in force on",
        "Mindestanteile nach Art. 8, gültig am",
        "第 8 条最低比例，适用日期",
    ),
    "material": ("Material", "Material", "材料"),
    "recycled_share": ("Recycled share", "Rezyklatanteil", "再生材料比例"),
    "pre_consumer": ("pre-consumer", "Pre-Consumer", "消费前"),
    "post_consumer": ("post-consumer", "Post-Consumer", "消费后"),
    "total": ("Total", "Gesamt", "合计"),
    "minimum": ("Minimum in force", "Geltender Mindestanteil", "现行最低比例"),
    "next_minimum": ("Next minimum", "Nächster Mindestanteil", "下一最低比例"),
    "from_date": ("from", "ab", "自"),
    "result": ("Result", "Ergebnis", "结果"),
    "none_in_force": ("none in force", "keiner in Kraft", "尚未生效"),
    "cs_meets": ("meets the minimum", "erfüllt den Mindestanteil", "达到最低比例"),
    "cs_below-minimum": ("BELOW the minimum", "UNTER dem Mindestanteil", "低于最低比例"),
    "cs_not-declared": (
        "NOT DECLARED though required",
        "NICHT ANGEGEBEN, obwohl verlangt",
        "未声明（但有要求）",
    ),
    "cs_no-target-yet": (
        "no minimum in force yet",
        "noch kein Mindestanteil in Kraft",
        "尚无生效的最低比例",
    ),
    "cs_not-present": ("not present", "nicht enthalten", "不含该材料"),
    "cs_presence-unknown": (
        "presence not known from the public data",
        "Vorhandensein aus den öffentlichen Daten nicht bekannt",
        "无法从公开数据得知是否含有",
    ),
    "cs_not-applicable": (
        "minimum shares do not apply",
        "Mindestanteile gelten nicht",
        "最低比例不适用",
    ),
    "applicability": ("Scope of Art. 8", "Anwendungsbereich von Art. 8", "第 8 条适用范围"),
    "renewable": ("Renewable content share", "Anteil erneuerbarer Stoffe", "可再生材料比例"),
    "not_declared": ("not declared", "nicht angegeben", "未声明"),
    # substances
    "hazardous": ("Hazardous substances", "Gefährliche Stoffe", "有害物质"),
    "substance": ("Substance", "Stoff", "物质"),
    "cas": ("CAS number", "CAS-Nummer", "CAS 号"),
    "ec": ("EC number", "EG-Nummer", "EC 号"),
    "concentration": ("Concentration", "Konzentration", "浓度"),
    "hazard_classes": ("Hazard classes", "Gefahrenklassen", "危害类别"),
    "location": ("Location", "Ort", "位置"),
    "none_declared": ("None declared.", "Keine angegeben.", "未声明。"),
    "substance_impact": (
        "Impact of the substances on the environment and on human health",
        "Auswirkungen der Stoffe auf Umwelt und Gesundheit",
        "物质对环境和人体健康的影响",
    ),
    "crm": ("Critical raw materials", "Kritische Rohstoffe", "关键原材料"),
    "crm_note": (
        "present above 0.1 % weight by weight",
        "mit mehr als 0,1 Massenprozent enthalten",
        "含量高于 0.1 %（质量分数）",
    ),
    # performance
    "performance": ("Performance and durability", "Leistung und Haltbarkeit", "性能与耐久性"),
    "rated_capacity": ("Rated capacity", "Nennkapazität", "额定容量"),
    "certified_energy": (
        "Certified usable energy",
        "Zertifizierte nutzbare Energie",
        "认证可用能量",
    ),
    "voltage_min": ("Minimum voltage", "Mindestspannung", "最低电压"),
    "voltage_nominal": ("Nominal voltage", "Nennspannung", "标称电压"),
    "voltage_max": ("Maximum voltage", "Höchstspannung", "最高电压"),
    "power_capability": (
        "Original power capability",
        "Ursprüngliche Leistungsfähigkeit",
        "初始功率能力",
    ),
    "at_soc": ("at state of charge", "bei Ladezustand", "荷电状态"),
    "max_power": (
        "Maximum permitted power",
        "Höchstzulässige Leistung",
        "最大允许功率",
    ),
    "power_energy_ratio": (
        "Power to energy ratio",
        "Verhältnis Leistung zu Energie",
        "功率与能量之比",
    ),
    "lifetime_cycles": (
        "Expected lifetime",
        "Erwartete Lebensdauer",
        "预期寿命",
    ),
    "cycles": ("charge-discharge cycles", "Lade-Entlade-Zyklen", "次充放电循环"),
    "reference_test": ("Reference test", "Referenzprüfung", "参考测试"),
    "c_rate": ("C-rate of the cycle-life test", "C-Rate der Zyklenprüfung", "循环寿命测试倍率"),
    "exhaustion_threshold": (
        "Capacity threshold for exhaustion",
        "Kapazitätsschwelle für Erschöpfung",
        "容量耗尽阈值",
    ),
    "idle_temperature": (
        "Temperature range when not in use",
        "Temperaturbereich außer Betrieb",
        "非使用状态温度范围",
    ),
    "to": ("to", "bis", "至"),
    "rte_initial": (
        "Initial round-trip energy efficiency",
        "Anfänglicher Energie-Round-Trip-Wirkungsgrad",
        "初始往返能量效率",
    ),
    "rte_50": (
        "Round-trip efficiency at 50 % of cycle life",
        "Round-Trip-Wirkungsgrad bei 50 % der Zyklenlebensdauer",
        "循环寿命 50 % 时的往返效率",
    ),
    "resistance_cell": (
        "Internal resistance, cell",
        "Innenwiderstand, Zelle",
        "内阻（电芯）",
    ),
    "resistance_pack": (
        "Internal resistance, pack",
        "Innenwiderstand, Batteriepack",
        "内阻（电池包）",
    ),
    # safety, symbols, documents
    "symbols": (
        "Safety, labels and symbols",
        "Sicherheit, Etiketten und Symbole",
        "安全、标签与符号",
    ),
    "extinguishing": ("Usable extinguishing agents", "Geeignete Löschmittel", "可用灭火剂"),
    "separate_collection": (
        "Separate collection symbol",
        "Symbol für die getrennte Sammlung",
        "分类收集符号",
    ),
    "separate_collection_alt": (
        "Crossed-out wheeled bin: collect separately, do not put in household waste",
        "Durchgestrichene Abfalltonne: getrennt sammeln, nicht in den Hausmüll",
        "打叉的带轮垃圾桶：须分类收集，不得混入生活垃圾",
    ),
    "symbol_document": (
        "the manufacturer's symbol file",
        "Symboldatei des Herstellers",
        "制造商的符号文件",
    ),
    "cd_pb": ("Cadmium and lead symbols", "Cadmium- und Bleisymbole", "镉和铅符号"),
    "cd_pb_none": (
        "none (the battery needs neither)",
        "keine (die Batterie benötigt keines)",
        "无（电池无需标注）",
    ),
    "documents": ("Documents", "Dokumente", "文件"),
    "doc_conformity": (
        "EU declaration of conformity",
        "EU-Konformitätserklärung",
        "欧盟符合性声明",
    ),
    "doc_due_diligence": (
        "Due diligence report",
        "Bericht zur Sorgfaltspflicht",
        "尽职调查报告",
    ),
    "doc_assurance": (
        "Third-party assurance",
        "Prüfung durch Dritte",
        "第三方鉴证",
    ),
    "doc_labels_meaning": (
        "Meaning of the labels and symbols",
        "Bedeutung der Etiketten und Symbole",
        "标签和符号的含义",
    ),
    "doc_waste_prevention": (
        "Your role in preventing waste",
        "Ihr Beitrag zur Abfallvermeidung",
        "您在减少废物方面的作用",
    ),
    "doc_separate_collection": (
        "Your role in the separate collection of waste batteries",
        "Ihr Beitrag zur getrennten Sammlung von Altbatterien",
        "您在废旧电池分类收集中的作用",
    ),
    "doc_end_of_life": (
        "Collection, second life and treatment at end of life",
        "Sammlung, zweites Leben und Behandlung am Lebensende",
        "收集、二次利用及寿命终止处理",
    ),
    "supply_chain_indices": (
        "Supply chain indices",
        "Lieferkettenindizes",
        "供应链指数",
    ),
    # further data (groups 2-4)
    "further": ("Further data for this view", "Weitere Daten dieser Sicht", "此视图的其他数据"),
    "group_1": (
        "Other public data (group 1)",
        "Weitere öffentliche Daten (Gruppe 1)",
        "其他公开数据（第 1 组）",
    ),
    "group_2": (
        "Composition, parts, dismantling and safety (group 2)",
        "Zusammensetzung, Teile, Demontage und Sicherheit (Gruppe 2)",
        "成分、部件、拆解与安全（第 2 组）",
    ),
    "group_3": (
        "Test reports proving compliance (group 3)",
        "Prüfberichte zum Konformitätsnachweis (Gruppe 3)",
        "合规测试报告（第 3 组）",
    ),
    "group_4": (
        "This individual battery (group 4)",
        "Diese einzelne Batterie (Gruppe 4)",
        "此单体电池（第 4 组）",
    ),
    "data_point": ("Data point", "Datenpunkt", "数据点"),
    "legal_basis": ("Legal basis", "Rechtsgrundlage", "法律依据"),
    # lifecycle
    "lifecycle": ("Lifecycle", "Lebenszyklus", "生命周期"),
    "lifecycle_hidden": (
        "The status history of the individual battery is shown only to persons with a "
        "legitimate interest (Annex XIII, point 4(c); Art. 77(2)).",
        "Die Statushistorie der einzelnen Batterie wird nur Personen mit berechtigtem "
        "Interesse gezeigt (Anhang XIII Nummer 4 Buchstabe c; Art. 77 Abs. 2).",
        "单体电池的状态历史仅向具有合法利益的人员显示（附件 XIII 第 4(c) 点；第 77(2) 条）。",
    ),
    "lifecycle_none": (
        "No lifecycle events are recorded on this server.",
        "Auf diesem Server sind keine Lebenszyklusereignisse erfasst.",
        "本服务器未记录任何生命周期事件。",
    ),
    "lifecycle_failed": (
        "The event log does NOT verify; no status history is shown",
        "Das Ereignisprotokoll lässt sich NICHT verifizieren; es wird keine Statushistorie gezeigt",
        "事件日志未通过验证；不显示状态历史",
    ),
    "lifecycle_verified": (
        "Every event below is signed by the organisation named and verified by this server.",
        "Jedes Ereignis unten ist von der genannten Organisation signiert und von diesem "
        "Server verifiziert.",
        "以下每个事件均由所列组织签署，并经本服务器验证。",
    ),
    "current_status": ("Current status", "Aktueller Status", "当前状态"),
    "ceased": (
        "The battery was recycled: its passport has ceased to exist (Art. 77(8)).",
        "Die Batterie wurde recycelt: Ihr Batteriepass ist erloschen (Art. 77 Abs. 8).",
        "该电池已被回收：其电池护照已终止（第 77(8) 条）。",
    ),
    "when": ("Date", "Datum", "日期"),
    "event": ("Event", "Ereignis", "事件"),
    "by": ("By", "Durch", "执行方"),
    "details": ("Details", "Einzelheiten", "详情"),
    "predecessor": (
        "This battery was given a new life: passport of the original battery",
        "Diese Batterie hat ein neues Leben erhalten: Batteriepass der ursprünglichen Batterie",
        "该电池已获得新生：原电池的护照",
    ),
    "successor": (
        "This passport is closed; the battery continues under its successor passport",
        "Dieser Batteriepass ist geschlossen; die Batterie lebt unter ihrem Nachfolgepass weiter",
        "本护照已关闭；电池以其后续护照继续使用",
    ),
    "ev_manufactured": ("manufactured", "hergestellt", "制造"),
    "ev_placed_on_market": ("placed on the market", "in Verkehr gebracht", "投放市场"),
    "ev_put_into_service": ("put into service", "in Betrieb genommen", "投入使用"),
    "ev_state_of_health": (
        "state of health measured",
        "Gesundheitszustand gemessen",
        "健康状态测量",
    ),
    "ev_usage": ("usage data recorded", "Nutzungsdaten erfasst", "使用数据记录"),
    "ev_inspected": ("inspected", "geprüft", "检验"),
    "ev_repaired": ("repaired", "repariert", "维修"),
    "ev_accident": (
        "accident or negative event",
        "Unfall oder negatives Ereignis",
        "事故或负面事件",
    ),
    "ev_re_used": ("prepared for re-use", "zur Wiederverwendung vorbereitet", "准备再使用"),
    "ev_repurposed": ("repurposed", "umgenutzt", "改变用途"),
    "ev_remanufactured": ("remanufactured", "wiederaufbereitet", "再制造"),
    "ev_ownership_transferred": (
        "responsibility transferred",
        "Verantwortung übertragen",
        "责任转移",
    ),
    "ev_collected_as_waste": ("collected as waste", "als Abfall gesammelt", "作为废物收集"),
    "ev_recycled": ("recycled", "recycelt", "已回收"),
    "yes": ("yes", "ja", "是"),
    "no": ("no", "nein", "否"),
    # elements
    "el_cobalt": ("cobalt", "Cobalt", "钴"),
    "el_lead": ("lead", "Blei", "铅"),
    "el_lithium": ("lithium", "Lithium", "锂"),
    "el_nickel": ("nickel", "Nickel", "镍"),
}


def text(key: str, language: str) -> str:
    """The label ``key`` in ``language`` (English if the language is not one of ours)."""
    entry = TEXT[key]
    try:
        return entry[LANGUAGES.index(language)]
    except ValueError:
        return entry[0]


_RANGE = re.compile(r"^([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*$")


def negotiate_language(accept_language: str | None, *, override: str | None = None) -> str:
    """The page language for an ``Accept-Language`` header (RFC 9110, 12.5.4): the supported
    language with the highest weight, the first of equals; English when none matches.

    ``override`` (e.g. from a ``?lang=`` query parameter) wins when it names a supported
    language. Malformed parts of the header are ignored, never an error.
    """
    if override is not None and override.lower() in LANGUAGES:
        return override.lower()
    if not accept_language:
        return DEFAULT_LANGUAGE
    best: tuple[float, int] | None = None
    chosen = DEFAULT_LANGUAGE
    for position, part in enumerate(accept_language.split(",")[:32]):
        pieces = [p.strip() for p in part.split(";")]
        tag = pieces[0]
        if tag == "*" or not _RANGE.match(tag):
            continue
        weight = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = -1.0
        if not 0 < weight <= 1:
            continue
        primary = tag.split("-")[0].lower()
        if primary not in LANGUAGES:
            continue
        rank = (weight, -position)
        if best is None or rank > best:
            best, chosen = rank, primary
    return chosen


# Names of the fields inside structured values (event payloads, records), by field name
# without its unit suffix: (English, German, Chinese).
FIELD_TEXT: Final[dict[str, tuple[str, str, str]]] = {
    "address": ("address", "Anschrift", "地址"),
    "application": ("application", "Anwendung", "用途"),
    "capacity_throughput": ("capacity throughput", "Kapazitätsdurchsatz", "容量吞吐量"),
    "cas_number": ("CAS number", "CAS-Nummer", "CAS 号"),
    "city": ("city", "Ort", "城市"),
    "collection_point": ("collection point", "Sammelstelle", "收集点"),
    "component": ("component", "Komponente", "部件"),
    "country": ("country", "Land", "国家"),
    "current_self_discharge": (
        "current self-discharge",
        "aktuelle Selbstentladung",
        "当前自放电率",
    ),
    "deep_discharge_events": ("deep-discharge events", "Tiefentladungen", "深度放电次数"),
    "description": ("description", "Beschreibung", "描述"),
    "dismantling_readiness": ("dismantling readiness", "Demontagebereitschaft", "拆解准备度"),
    "element": ("element", "Element", "元素"),
    "email": ("e-mail", "E-Mail", "电子邮件"),
    "energy_throughput": ("energy throughput", "Energiedurchsatz", "能量吞吐量"),
    "facility_id": ("facility", "Betriebsstätte", "设施"),
    "findings": ("findings", "Befund", "检查结果"),
    "full_cycles": ("full cycles", "Vollzyklen", "完整循环次数"),
    "kind": ("kind", "Art", "类型"),
    "mass": ("mass", "Masse", "质量"),
    "media_type": ("media type", "Medientyp", "媒体类型"),
    "member_state": ("Member State", "Mitgliedstaat", "成员国"),
    "minutes_above_temperature_boundary": (
        "minutes above the temperature boundary",
        "Minuten über der Temperaturgrenze",
        "高于温度界限的分钟数",
    ),
    "minutes_below_temperature_boundary": (
        "minutes below the temperature boundary",
        "Minuten unter der Temperaturgrenze",
        "低于温度界限的分钟数",
    ),
    "minutes_charging_above_boundary": (
        "minutes charging above the boundary",
        "Minuten Laden über der Grenze",
        "高于界限充电的分钟数",
    ),
    "minutes_charging_below_boundary": (
        "minutes charging below the boundary",
        "Minuten Laden unter der Grenze",
        "低于界限充电的分钟数",
    ),
    "name": ("name", "Name", "名称"),
    "new_operator": ("new economic operator", "neuer Wirtschaftsakteur", "新的经济经营者"),
    "occurred_on": ("occurred on", "eingetreten am", "发生日期"),
    "ohmic_resistance": ("ohmic resistance", "ohmscher Widerstand", "欧姆电阻"),
    "overcharge_events": ("overcharge events", "Überladungen", "过充次数"),
    "part_number": ("part number", "Teilenummer", "零件号"),
    "passed": ("passed", "bestanden", "通过"),
    "postal_code": ("postal code", "Postleitzahl", "邮政编码"),
    "power": ("power", "Leistung", "功率"),
    "rate": ("rate", "Quote", "比率"),
    "rates_basis": ("basis of the rates", "Grundlage der Quoten", "比率依据"),
    "recoverable": ("recoverable", "rückgewinnbar", "可回收量"),
    "recovered": ("recovered", "zurückgewonnen", "已回收量"),
    "recycling_facility": ("recycling facility", "Recyclinganlage", "回收设施"),
    "remaining_capacity": ("remaining capacity", "Restkapazität", "剩余容量"),
    "remaining_energy": ("remaining energy", "Restenergie", "剩余能量"),
    "remaining_power_capability": (
        "remaining power capability",
        "verbleibende Leistungsfähigkeit",
        "剩余功率能力",
    ),
    "remaining_round_trip_efficiency": (
        "remaining round-trip efficiency",
        "verbleibender Round-Trip-Wirkungsgrad",
        "剩余往返效率",
    ),
    "replaced_parts": ("replaced parts", "ersetzte Teile", "更换的零件"),
    "report": ("report", "Bericht", "报告"),
    "self_discharge_evolution": (
        "evolution of self-discharge",
        "Entwicklung der Selbstentladung",
        "自放电变化",
    ),
    "sha256": ("SHA-256", "SHA-256", "SHA-256"),
    "share": ("share", "Anteil", "比例"),
    "state_of_certified_energy": (
        "state of certified energy",
        "Zustand der zertifizierten Energie",
        "认证能量状态",
    ),
    "state_of_charge": ("state of charge", "Ladezustand", "荷电状态"),
    "street": ("street", "Straße", "街道"),
    "successor_passport_id": ("successor passport", "Nachfolgepass", "后续护照"),
    "temperature": ("temperature", "Temperatur", "温度"),
    "title": ("title", "Titel", "标题"),
    "url": ("link", "Link", "链接"),
    "waste_operator": ("waste management operator", "Abfallbewirtschafter", "废物管理经营者"),
}


def field_text(name: str, language: str) -> str:
    """The label of a field of a structured value (its name, readable, if we have none)."""
    entry = FIELD_TEXT.get(name)
    if entry is None:
        return name.replace("_", " ")
    try:
        return entry[LANGUAGES.index(language)]
    except ValueError:
        return entry[0]
