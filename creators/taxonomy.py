"""The shared taxonomy: audience axes and content verticals, with English and Chinese labels.

Pure Python data (no Django import), so engines, the demo generator and models all share it.
An audience portrait is one distribution per audience axis: ``{key: share}`` with shares >= 0
summing to 1. Interest shares also sum to 1: they say how the audience's attention divides,
not which share of people has an interest (that keeps every axis comparable with the same maths).
"""

from collections.abc import Mapping

# (key, English label, Chinese label) per axis. Keys are stable identifiers stored in the
# database; keys that occur on two axes (beauty, education, sports) carry the same labels.
_AXES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "gender": (
        ("female", "Female", "女性"),
        ("male", "Male", "男性"),
    ),
    "age": (
        ("under_18", "Under 18", "18岁以下"),
        ("18_24", "18–24", "18–24岁"),
        ("25_30", "25–30", "25–30岁"),
        ("31_40", "31–40", "31–40岁"),
        ("41_50", "41–50", "41–50岁"),
        ("over_50", "Over 50", "50岁以上"),
    ),
    "city_tier": (
        ("t1", "Tier 1 city", "一线城市"),
        ("t2", "Tier 2 city", "二线城市"),
        ("t3", "Tier 3 city", "三线城市"),
        ("t4", "Tier 4 city", "四线城市"),
        ("t5", "Tier 5 and below", "五线及以下城市"),
    ),
    "interests": (
        ("young_mothers", "Young mothers", "宝妈"),
        ("new_farmers", "New farmers", "新农人"),
        ("students", "Students", "学生"),
        ("white_collar", "White-collar workers", "白领"),
        ("silver_age", "Silver generation", "银发族"),
        ("fashion", "Fashion", "时尚"),
        ("beauty", "Beauty", "美妆"),
        ("foodies", "Foodies", "美食爱好者"),
        ("gamers", "Gamers", "游戏玩家"),
        ("tech", "Tech & gadgets", "数码科技"),
        ("home_living", "Home & living", "家居生活"),
        ("sports", "Sports", "运动健身"),
        ("education", "Education", "教育学习"),
    ),
    "vertical": (
        ("agriculture", "Agriculture & rural life", "三农"),
        ("beauty", "Beauty", "美妆"),
        ("apparel", "Apparel", "服饰"),
        ("food", "Food", "食品"),
        ("mother_baby", "Mother & baby", "母婴"),
        ("electronics", "Electronics", "数码家电"),
        ("home", "Home", "家居"),
        ("education", "Education", "教育学习"),
        ("gaming", "Gaming", "游戏"),
        ("entertainment", "Entertainment", "娱乐"),
        ("sports", "Sports", "运动健身"),
        ("travel", "Travel", "旅行"),
    ),
}

AXES: tuple[str, ...] = tuple(_AXES)
AUDIENCE_AXES: tuple[str, ...] = ("gender", "age", "city_tier", "interests")

GENDER: tuple[str, ...] = tuple(key for key, _, _ in _AXES["gender"])
AGE: tuple[str, ...] = tuple(key for key, _, _ in _AXES["age"])
CITY_TIER: tuple[str, ...] = tuple(key for key, _, _ in _AXES["city_tier"])
INTEREST: tuple[str, ...] = tuple(key for key, _, _ in _AXES["interests"])
VERTICAL: tuple[str, ...] = tuple(key for key, _, _ in _AXES["vertical"])

# The "下沉市场" (lower-tier markets) where the platform is strongest.
LOWER_TIER_CITIES: tuple[str, ...] = ("t3", "t4", "t5")

LANGUAGES: tuple[str, ...] = ("en", "zh-hans")

_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    axis: {key: (en, zh) for key, en, zh in entries} for axis, entries in _AXES.items()
}


def keys(axis: str) -> tuple[str, ...]:
    """The keys of one axis, in display order."""
    return tuple(_axis_labels(axis))


def label(key: str, lang: str = "en", *, axis: str | None = None) -> str:
    """The label of ``key`` in ``lang`` ('en' or 'zh-hans'); ``axis`` narrows the search.

    Without ``axis`` the first axis holding the key answers, which is safe because shared keys
    carry the same labels on every axis.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    for name in (axis,) if axis else AXES:
        labels = _axis_labels(name)
        if key in labels:
            return labels[key][LANGUAGES.index(lang)]
    where = f"axis {axis!r}" if axis else "any axis"
    raise KeyError(f"unknown key {key!r} on {where}")


def choices(axis: str) -> list[tuple[str, str]]:
    """``[(key, English label)]`` for a Django ``choices=`` argument (wrap labels for i18n)."""
    return [(key, en) for key, (en, _) in _axis_labels(axis).items()]


def validate_distribution(axis: str, mapping: Mapping[str, float], tol: float = 1e-6) -> None:
    """Raise ValueError unless ``mapping`` is a distribution over ``axis`` keys.

    Keys left out count as share 0; shares must be finite, >= 0 and sum to 1 within ``tol``.
    """
    labels = _axis_labels(axis)
    unknown = sorted(set(mapping) - set(labels))
    if unknown:
        raise ValueError(f"{axis}: unknown key(s) {unknown}; expected some of {list(labels)}")
    shares = {key: float(share) for key, share in mapping.items()}
    bad = sorted(key for key, share in shares.items() if not share >= 0 or share == float("inf"))
    if bad:
        raise ValueError(f"{axis}: shares must be finite and >= 0, got {_pick(shares, bad)}")
    total = sum(shares.values())
    if abs(total - 1.0) > tol:
        raise ValueError(f"{axis}: shares must sum to 1 (within {tol}), got {total!r}")


def _axis_labels(axis: str) -> dict[str, tuple[str, str]]:
    try:
        return _LABELS[axis]
    except KeyError:
        raise ValueError(f"unknown axis {axis!r}; expected one of {AXES}") from None


def _pick(shares: dict[str, float], wanted: list[str]) -> dict[str, float]:
    return {key: shares[key] for key in wanted}


# Named choice lists, so the OpenAPI schema can give each enum one stable name.
VERTICAL_CHOICES = choices("vertical")
CITY_TIER_CHOICES = choices("city_tier")


# Regions are ISO 3166-1 / 3166-2 codes ("CN", "CN-GD", "ID"); people read their names.
_REGIONS: tuple[tuple[str, str, str], ...] = (
    ("CN", "China", "中国"),
    ("CN-BJ", "Beijing", "北京"),
    ("CN-TJ", "Tianjin", "天津"),
    ("CN-HE", "Hebei", "河北"),
    ("CN-SX", "Shanxi", "山西"),
    ("CN-NM", "Inner Mongolia", "内蒙古"),
    ("CN-LN", "Liaoning", "辽宁"),
    ("CN-JL", "Jilin", "吉林"),
    ("CN-HL", "Heilongjiang", "黑龙江"),
    ("CN-SH", "Shanghai", "上海"),
    ("CN-JS", "Jiangsu", "江苏"),
    ("CN-ZJ", "Zhejiang", "浙江"),
    ("CN-AH", "Anhui", "安徽"),
    ("CN-FJ", "Fujian", "福建"),
    ("CN-JX", "Jiangxi", "江西"),
    ("CN-SD", "Shandong", "山东"),
    ("CN-HA", "Henan", "河南"),
    ("CN-HB", "Hubei", "湖北"),
    ("CN-HN", "Hunan", "湖南"),
    ("CN-GD", "Guangdong", "广东"),
    ("CN-GX", "Guangxi", "广西"),
    ("CN-HI", "Hainan", "海南"),
    ("CN-CQ", "Chongqing", "重庆"),
    ("CN-SC", "Sichuan", "四川"),
    ("CN-GZ", "Guizhou", "贵州"),
    ("CN-YN", "Yunnan", "云南"),
    ("CN-XZ", "Tibet", "西藏"),
    ("CN-SN", "Shaanxi", "陕西"),
    ("CN-GS", "Gansu", "甘肃"),
    ("CN-QH", "Qinghai", "青海"),
    ("CN-NX", "Ningxia", "宁夏"),
    ("CN-XJ", "Xinjiang", "新疆"),
    ("CN-HK", "Hong Kong", "香港"),
    ("CN-MO", "Macao", "澳门"),
    ("ID", "Indonesia", "印度尼西亚"),
    ("TH", "Thailand", "泰国"),
    ("VN", "Vietnam", "越南"),
    ("MY", "Malaysia", "马来西亚"),
)
_REGION_LABELS = {code: (en, zh) for code, en, zh in _REGIONS}


def region_label(code: str, lang: str = "en") -> str:
    """The name of region ``code`` in ``lang``; a code this table does not know shows as is."""
    names = _REGION_LABELS.get(code)
    return names[LANGUAGES.index(lang)] if names else code
