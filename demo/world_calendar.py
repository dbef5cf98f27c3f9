"""The Chinese shopping calendar the demo names its campaigns after."""

import datetime

import numpy as np

# 春节 (Spring Festival, lunar new year's day) by year. Outside the table a year borrows the date
# of a year 19 years away (the Metonic cycle: the lunar calendar nearly repeats), good to a
# day or two, which is all a campaign name needs.
SPRING_FESTIVAL = {
    2015: (2, 19), 2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5),
    2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10),
    2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13),
    2030: (2, 3), 2031: (1, 23), 2032: (2, 11), 2033: (1, 31), 2034: (2, 19),
    2035: (2, 8),
}  # fmt: skip
_FIRST, _LAST = min(SPRING_FESTIVAL), max(SPRING_FESTIVAL)
# 年货节 (the New Year goods festival) is the run-up to the Spring Festival.
NEW_YEAR_GOODS_LEAD_DAYS = (3, 45)
NEW_YEAR_GOODS = "年货节"
# Themes a campaign starting in each month may carry (1 = January).
MONTH_THEMES: dict[int, tuple[str, ...]] = {
    1: ("新年焕新", "冬季暖心"),
    2: ("开春上新", "情人节限定"),
    3: ("女神节", "春季上新"),
    4: ("春日焕新", "踏青季"),
    5: ("520告白季", "母亲节献礼"),
    6: ("618大促", "618年中狂欢"),
    7: ("夏日清凉", "暑期狂欢"),
    8: ("七夕礼遇", "开学季"),
    9: ("开学季", "中秋礼遇"),
    10: ("国庆黄金周", "金秋上新"),
    11: ("双11狂欢", "双11预售"),
    12: ("双12好物节", "双12年终盛典"),
}


def spring_festival(year: int) -> datetime.date:
    """The Spring Festival of ``year`` (from the table, or a Metonic neighbour outside it)."""
    source = year
    while source > _LAST:
        source -= 19
    while source < _FIRST:
        source += 19
    month, day = SPRING_FESTIVAL[source]
    return datetime.date(year, month, day)


def days_before_spring_festival(day: datetime.date) -> int:
    """Days from ``day`` to the next Spring Festival on or after it."""
    festival = spring_festival(day.year)
    if festival < day:
        festival = spring_festival(day.year + 1)
    return (festival - day).days


def campaign_theme(start: datetime.date, pick: float) -> str:
    """The theme of a campaign starting on ``start``; ``pick`` in [0, 1) chooses among fits."""
    low, high = NEW_YEAR_GOODS_LEAD_DAYS
    if low <= days_before_spring_festival(start) <= high:
        return NEW_YEAR_GOODS
    themes = MONTH_THEMES[start.month]
    return themes[min(int(pick * len(themes)), len(themes) - 1)]


def campaign_themes(start_days: np.ndarray, picks: np.ndarray) -> list[str]:
    """:func:`campaign_theme` for day numbers (days since 1970-01-01)."""
    epoch = datetime.date(1970, 1, 1)
    return [
        campaign_theme(epoch + datetime.timedelta(days=int(d)), float(p))
        for d, p in zip(start_days.tolist(), picks.tolist(), strict=True)
    ]
