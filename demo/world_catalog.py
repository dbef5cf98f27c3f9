"""Brands, their products and their campaigns in the demo world."""

import numpy as np
import pandas as pd

from creators import taxonomy as tx
from demo.world_audience import draw_portraits
from demo.world_calendar import campaign_themes
from demo.world_metrics import CATEGORY_PRICE, Timeline

# The two brands the demo logs in as: the document's domestic beauty brand (self-broadcast +
# creator distribution, ROI 1:3 → 1:7.2 with the data tools) and its apparel brand.
DEMO_BRANDS = (
    ("花漾美妆", "Huayang Beauty", "beauty"),
    ("云裳服饰", "Yunshang Apparel", "apparel"),
)
DATA_TOOLS_BRAND = 0  # brand_index of the beauty brand that adopts the selection centre
_MORE_BRANDS = (
    ("山野优选", "Shanye Select", "agriculture"),
    ("小禾母婴", "Xiaohe Baby", "mother_baby"),
    ("麦香食品", "Maixiang Foods", "food"),
    ("极光数码", "Aurora Digital", "electronics"),
    ("安居家品", "Anju Home", "home"),
    ("跃动体育", "Yuedong Sports", "sports"),
    ("知行教育", "Zhixing Education", "education"),
    ("青柠美妆", "Qingning Cosmetics", "beauty"),
    ("田园果蔬", "Tianyuan Produce", "agriculture"),
    ("游乐星球", "Fun Planet Games", "gaming"),
    ("远方旅行", "Faraway Travel", "travel"),
    ("暖阳服饰", "Nuanyang Apparel", "apparel"),
)
_PRODUCT_NOUNS = {
    "agriculture": ("高山苹果", "五常大米", "土鸡蛋", "有机蔬菜礼盒", "野生蜂蜜"),
    "beauty": ("玻尿酸精华", "保湿面霜", "哑光口红", "气垫粉底", "修护面膜"),
    "apparel": ("纯棉T恤", "轻薄羽绒服", "直筒牛仔裤", "针织开衫", "碎花连衣裙"),
    "food": ("手工牛肉干", "螺蛳粉", "每日坚果", "自热火锅", "老式糕点"),
    "mother_baby": ("婴儿纸尿裤", "婴儿湿巾", "儿童牙刷", "奶瓶套装", "宝宝辅食"),
    "electronics": ("蓝牙耳机", "充电宝", "智能手表", "扫地机器人", "平板电脑"),
    "home": ("收纳箱", "床上四件套", "空气炸锅", "保温杯", "免手洗拖把"),
    "education": ("英语网课", "编程启蒙课", "考研资料包", "书法课程", "数学思维课"),
    "gaming": ("游戏点卡", "电竞鼠标", "机械键盘", "游戏手柄", "皮肤礼包"),
    "entertainment": ("演唱会门票", "明星周边", "潮玩盲盒", "数字专辑", "剧本杀券"),
    "sports": ("缓震跑鞋", "瑜伽垫", "健身手环", "运动水壶", "速干衣"),
    "travel": ("温泉酒店套餐", "海岛度假套餐", "古镇民宿", "滑雪票", "邮轮船票"),
}
_VARIANTS = ("经典款", "升级款", "礼盒装", "家庭装", "尝鲜装", "旗舰款")
_CLAIMS = {
    "agriculture": ("产地直发", "当季新鲜", "农户直供", "绿色种植"),
    "beauty": ("温和不刺激", "补水保湿", "敏感肌可用", "持久不脱妆"),
    "apparel": ("纯棉面料", "宽松显瘦", "四季可穿", "做工精细"),
    "food": ("0添加蔗糖", "独立小包装", "现做现发", "老字号配方"),
    "mother_baby": ("食品级材质", "无荧光剂", "柔软亲肤", "安全无异味"),
    "electronics": ("一年质保", "超长续航", "支持快充", "全国联保"),
    "home": ("易清洁", "节省空间", "环保材质", "安装简单"),
    "education": ("名师授课", "随时回放", "课后答疑", "体系化课程"),
    "gaming": ("正版授权", "限量周边", "即买即用", "全服通用"),
    "entertainment": ("官方授权", "限量发售", "粉丝专享", "纪念收藏"),
    "sports": ("专业缓震", "透气速干", "轻量设计", "耐磨防滑"),
    "travel": ("含双早", "免费取消", "专车接送", "含景区门票"),
}
# Absolute and medical terms the Advertising Law forbids: food for the compliance pre-check.
RISKY_CLAIMS = ("全网最低价", "第一品牌", "100%有效", "7天美白", "根治", "永不反弹", "最好用")
_RISKY_SHARE = 0.15

OBJECTIVES = ("sales", "brand_awareness", "product_launch")
MODES = ("self_broadcast", "creator_distribution", "both")
CAMPAIGN_STATUSES = ("draft", "active", "completed", "cancelled")


def brand_count(creators: int) -> int:
    """Two demo brands plus about eight more for 3000 creators, growing mildly."""
    return 2 + max(3, round(8 * (creators / 3000) ** 0.15))


def make_brands(count: int) -> pd.DataFrame:
    """The demo brands first, then the others, numbered when the list runs out."""
    rows = list(DEMO_BRANDS)
    for i in range(count - len(DEMO_BRANDS)):
        name, name_en, vertical = _MORE_BRANDS[i % len(_MORE_BRANDS)]
        lap = i // len(_MORE_BRANDS)
        rows.append(
            (
                f"{name}{lap + 1}号" if lap else name,
                f"{name_en} {lap + 1}" if lap else name_en,
                vertical,
            )
        )
    names, names_en, verticals = zip(*rows[:count], strict=True)
    return pd.DataFrame(
        {
            "brand_index": np.arange(count),
            "name": names,
            "name_en": names_en,
            "vertical": pd.Categorical(verticals, categories=tx.VERTICAL),
            "demo": np.arange(count) < len(DEMO_BRANDS),
        }
    )


def make_products(rng: np.random.Generator, brands: pd.DataFrame) -> pd.DataFrame:
    """4–8 products a brand, all from its industry's catalogue, with target portraits.

    A beauty brand sells cosmetics, an education brand courses. A quarter of products aim at
    another vertical's audience (a farm brand selling gift boxes to white-collar foodies), so
    fit is not just "same vertical".
    """
    per_brand = rng.integers(4, 9, len(brands))
    brand = np.repeat(brands["brand_index"].to_numpy(), per_brand)
    category = brands["vertical"].cat.codes.to_numpy()[brand]
    segment = np.where(rng.random(len(brand)) < 0.75, category, rng.integers(0, 12, len(brand)))
    targets = draw_portraits(rng, segment, spread=1.5)
    price = _prices(rng, category)
    names, claims, descriptions = _product_texts(rng, brand, category, brands["name"].to_numpy())
    frame = pd.DataFrame(
        {
            "product_index": np.arange(len(brand)),
            "brand_index": brand,
            "name": names,
            "category": pd.Categorical.from_codes(category, tx.VERTICAL),
            "price": price,
            "description": descriptions,
            "claims": claims,
        }
    )
    for axis, shares in targets.items():
        frame[f"target_{axis}"] = _dicts(shares, tx.keys(axis))
    return frame


def _prices(rng: np.random.Generator, category: np.ndarray) -> np.ndarray:
    """Around the category's typical price, ending in .9 as shop prices do."""
    raw = CATEGORY_PRICE[category] * rng.lognormal(0, 0.35, len(category))
    return np.maximum(np.floor(raw), 1) + 0.9


def _product_texts(
    rng: np.random.Generator, brand: np.ndarray, category: np.ndarray, brand_names: np.ndarray
) -> tuple[list[str], list[list[str]], list[str]]:
    names, claims, descriptions, taken = [], [], [], set()
    for b, c in zip(brand.tolist(), category.tolist(), strict=True):
        vertical = tx.VERTICAL[c]
        name = _unique_name(rng, _PRODUCT_NOUNS[vertical], b, taken)
        chosen = list(rng.choice(_CLAIMS[vertical], 2, replace=False))
        if rng.random() < _RISKY_SHARE:
            chosen.append(str(rng.choice(RISKY_CLAIMS)))
        names.append(name)
        claims.append(chosen)
        descriptions.append(f"{brand_names[b]}{name}：{'，'.join(chosen)}。")
    return names, claims, descriptions


def _unique_name(rng: np.random.Generator, nouns: tuple[str, ...], brand: int, taken: set) -> str:
    """A product name not yet used by this brand."""
    for _ in range(20):
        name = f"{rng.choice(nouns)}·{rng.choice(_VARIANTS)}"
        if (brand, name) not in taken:
            break
    name = name if (brand, name) not in taken else f"{name}{len(taken)}"
    taken.add((brand, name))
    return name


def _dicts(shares: np.ndarray, keys: tuple[str, ...]) -> list[dict[str, float]]:
    return [dict(zip(keys, row, strict=True)) for row in shares.tolist()]


def make_campaigns(
    rng: np.random.Generator, brands: pd.DataFrame, timeline: Timeline
) -> pd.DataFrame:
    """Each brand runs a campaign every 5–10 weeks across the window; 3–8 weeks long.

    The last campaign of every brand that has started runs past end_date, so every brand has
    an active campaign (and the offer pipeline has fresh offers) on the demo's "today", and
    its next one is planned (a draft starting after end_date).
    """
    frames = [_brand_campaigns(rng, b, timeline) for b in brands["brand_index"]]
    campaigns = pd.concat(frames, ignore_index=True)
    start, end = campaigns["start_day"].to_numpy(), campaigns["end_day"].to_numpy()
    status = np.select(
        [start > timeline.end_day, end >= timeline.end_day], ["draft", "active"], "completed"
    )
    cancelled = (status == "completed") & (rng.random(len(campaigns)) < 0.05)
    campaigns["status"] = np.where(cancelled, "cancelled", status)
    brand = campaigns["brand_index"].to_numpy()
    mode = rng.choice(len(MODES), len(campaigns), p=[0.2, 0.45, 0.35])
    # Brand self-broadcast + creator distribution: the beauty brand's two-wheel model.
    campaigns["mode"] = np.array(MODES)[np.where(brand == DATA_TOOLS_BRAND, 2, mode)]
    campaigns["objective"] = rng.choice(OBJECTIVES, len(campaigns), p=[0.6, 0.25, 0.15])
    campaigns["name"] = _campaign_names(rng, brands["name"].to_numpy()[brand], start)
    # Planned a week to four before starting, and never after end_date (drafts included).
    lead = rng.integers(7, 29, len(campaigns))
    campaigns["created_day"] = np.minimum(start - lead, timeline.end_day)
    campaigns.insert(0, "campaign_index", np.arange(len(campaigns)))
    return campaigns


def _brand_campaigns(rng: np.random.Generator, brand: int, timeline: Timeline) -> pd.DataFrame:
    """One brand's campaigns, from before the window to the next one planned after end_date."""
    starts, ends = [], []
    start = timeline.first_day - int(rng.integers(0, 42))
    while not starts or starts[-1] <= timeline.end_day:
        starts.append(start)
        ends.append(start + int(rng.integers(21, 57)))
        start += int(rng.integers(35, 71))
    # The loop ends on a draft, so the one before it is the last started: keep it running.
    ends[-2] = max(ends[-2], timeline.end_day + 7)
    return pd.DataFrame({"brand_index": brand, "start_day": starts, "end_day": ends})


def _campaign_names(
    rng: np.random.Generator, brand_names: np.ndarray, start_days: np.ndarray
) -> list[str]:
    """'<brand> <YYYY-MM> <theme>': the theme fits the start (618 in June, 年货节 before 春节)."""
    months = start_days.astype("datetime64[D]").astype("datetime64[M]").astype(str)
    themes = campaign_themes(start_days, rng.random(len(start_days)))
    return [f"{b} {m} {t}" for b, m, t in zip(brand_names, months, themes, strict=True)]
