"""The creator academy of the demo world: courses, lessons, and who studied when.

The hidden ``trained`` trait (demo.world_people) becomes rows here: every trained creator enrols
in a starter course within days of joining and completes it within its first three weeks, before
its 10k crossing where that comes later (it always does for creators older than a month), so
``creators.selectors_growth`` finds the trait in ``Enrolment.completed_at``. Some trained
creators go on to a second course (finished or not). Untrained creators study too, but never
in time to count: some enrol early and drop out part-way, a few complete a course long after
their first three months. Nothing happens after the world's end: a creator too new to have
finished is still in progress.

Frames (positions as in demo.world; instants naive UTC ``datetime64[s]``, missing NaT):
courses (course_index, slug, track, title, summary, published), lessons (lesson_index,
course_index, position, title, body, minutes), enrolments (enrolment_index, creator_index,
course_index, enrolled_at, completed_at), lesson_completions (lesson_completion_index,
enrolment_index, lesson_index, completed_at).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo.world_people import People

DAY = 86_400
#: slug, track, title, summary, lessons (title, minutes), published. Starter courses first.
COURSES = (
    ("content-planning-basics", "content_planning", "内容策划入门 · Content planning basics",
     "选题、脚本与发布节奏。Topics, scripts and a posting rhythm.",
     (("找到你的选题 · Finding your topics", 12), ("三段式脚本 · A three-part script", 15),
      ("发布节奏 · A posting rhythm", 10), ("读懂数据 · Reading your figures", 14)), True),
    ("live-selling-basics", "live_selling", "直播带货入门 · Live selling basics",
     "开播准备、话术与复盘。Preparing a stream, what to say, the review after.",
     (("开播前的准备 · Before going live", 12), ("讲好一件商品 · Presenting one product", 18),
      ("互动与留人 · Keeping viewers", 15), ("直播复盘 · The review after", 10)), True),
    ("compliance-essentials", "compliance", "合规必修 · Compliance essentials",
     "广告法禁用词、如实宣传与售后规则。Banned claims, honest selling, after-sales rules.",
     (("广告法禁用词 · Words the Advertising Law forbids", 10),
      ("如实描述商品 · Describing products honestly", 12),
      ("七天无理由退货 · The seven-day return", 8)), True),
    ("monetisation-basics", "monetisation", "变现入门 · Monetisation basics",
     "打赏、橱窗与品牌合作。Tips, the shop window and brand deals.",
     (("打赏与粉丝团 · Tips and fan clubs", 10), ("开通橱窗 · Opening a shop window", 12),
      ("接品牌合作 · Taking a brand deal", 15), ("定价与分成 · Pricing and revenue share", 12)),
     True),
    ("live-selling-advanced", "live_selling", "直播进阶 · Live selling, advanced",
     "排品、流量与团队协作。Line-ups, traffic and working as a team.",
     (("排品策略 · Planning the line-up", 15), ("流量高峰 · Riding the traffic peaks", 15),
      ("团队分工 · Working as a team", 12), ("大促备战 · Preparing for 618 and 双11", 20),
      ("数据复盘 · A data review", 15)), True),
    ("short-video-editing", "content_planning", "短视频剪辑 · Short-video editing",
     "节奏、字幕与封面。Pace, captions and covers. (草稿 · draft)",
     (("剪辑节奏 · Pace", 12), ("字幕与封面 · Captions and covers", 10)), False),
)  # fmt: skip
_BODY = (
    "本课约十分钟：先看示例，再照着做一遍，最后在作品里用上。(About ten minutes: watch the "
    "example, do it once yourself, then use it in your next post.)"
)
STARTERS = 4  # the first four courses: one per track, where creators begin
SECOND_COURSE_SHARE = 0.4  # of trained creators
DROPOUT_SHARE = 0.2  # of untrained creators: enrol in their first two months, never finish
LATE_SHARE = 0.05  # of untrained creators: complete a course after their first three months


@dataclass(frozen=True)
class Academy:
    courses: pd.DataFrame
    lessons: pd.DataFrame
    enrolments: pd.DataFrame
    lesson_completions: pd.DataFrame


def course_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The fixed catalogue: courses and their lessons."""
    courses = pd.DataFrame(
        [(i, slug, track, title, summary, published)
         for i, (slug, track, title, summary, _lessons, published) in enumerate(COURSES)],
        columns=["course_index", "slug", "track", "title", "summary", "published"],
    )  # fmt: skip
    lessons = pd.DataFrame(
        [
            (course, position, title, minutes)
            for course, (*_head, lessons, _published) in enumerate(COURSES)
            for position, (title, minutes) in enumerate(lessons, start=1)
        ],
        columns=["course_index", "position", "title", "minutes"],
    )
    lessons.insert(0, "lesson_index", np.arange(len(lessons)))
    lessons["body"] = lessons["title"].map(lambda title: f"{title}\n\n" + _BODY)
    return courses, lessons[
        ["lesson_index", "course_index", "position", "title", "body", "minutes"]
    ]


def make_academy(rng: np.random.Generator, people: People, trained: np.ndarray) -> Academy:
    """Enrolments and lesson completions of the demo's creators (see the module docstring)."""
    courses, lessons = course_frames()
    sizes = lessons.groupby("course_index").size().reindex(courses.index).to_numpy()
    first_lesson = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    end = (people.end_day + 1) * DAY - 1  # the world's last second, UTC
    joined = people.joined.astype(np.int64) * DAY
    plans = [
        _trained_plan(rng, people, trained, joined),
        _second_plan(rng, trained, joined),
        _dropout_plan(rng, trained, joined),
        _late_plan(rng, trained, joined),
    ]
    plan = pd.concat(plans, ignore_index=True).sort_values(["creator", "start"], kind="stable")
    # One enrolment per creator and course: a second pick of the same course is dropped.
    plan = plan.drop_duplicates(["creator", "course"]).reset_index(drop=True)
    plan = plan[plan["start"] <= end].reset_index(drop=True)
    lessons_of = sizes[plan["course"].to_numpy()]
    done = np.minimum(plan["done"].to_numpy(), lessons_of)
    rows = np.repeat(np.arange(len(plan)), done)
    step = np.arange(len(rows)) - np.repeat(np.cumsum(done) - done, done)
    start, finish = plan["start"].to_numpy(), plan["finish"].to_numpy()
    # Lessons are done one after another between enrolling and finishing.
    at = start[rows] + (finish[rows] - start[rows]) * (step + 1) // lessons_of[rows]
    kept = at <= end
    completions = pd.DataFrame(
        {
            "lesson_completion_index": np.arange(int(kept.sum())),
            "enrolment_index": rows[kept],
            "lesson_index": first_lesson[plan["course"].to_numpy()[rows[kept]]] + step[kept],
            "completed_at": _instants(at[kept]),
        }
    )
    finished = (done == lessons_of) & (finish <= end)
    enrolments = pd.DataFrame(
        {
            "enrolment_index": np.arange(len(plan)),
            "creator_index": plan["creator"].to_numpy(),
            "course_index": plan["course"].to_numpy(),
            "enrolled_at": _instants(start),
            "completed_at": np.where(finished, _instants(finish), np.datetime64("NaT")),
        }
    )
    return Academy(courses, lessons, enrolments, completions)


def _plan(creator, course, start, finish, done) -> pd.DataFrame:
    return pd.DataFrame(
        {"creator": creator, "course": course, "start": start, "finish": finish, "done": done}
    )


def _trained_plan(rng, people: People, trained: np.ndarray, joined: np.ndarray) -> pd.DataFrame:
    """A starter course, enrolled in the first five days and finished by the third week, a day
    before the 10k crossing when that is later than the enrolment."""
    creator = np.flatnonzero(trained)
    start = joined[creator] + rng.uniform(0, 5, len(creator)) * DAY + _hours(rng, len(creator))
    finish = start + rng.uniform(3, 16, len(creator)) * DAY
    crossing = joined[creator] + (people.days_to_10k[creator] - 1) * DAY
    finish = np.where(crossing > start + DAY, np.minimum(finish, crossing), finish)
    course = rng.integers(0, STARTERS, len(creator))
    return _plan(creator, course, start.astype(np.int64), finish.astype(np.int64), 99)


def _second_plan(rng, trained: np.ndarray, joined: np.ndarray) -> pd.DataFrame:
    """Some trained creators take another published course later; some are still on it."""
    creator = np.flatnonzero(trained & (rng.random(len(trained)) < SECOND_COURSE_SHARE))
    start = joined[creator] + rng.uniform(25, 200, len(creator)) * DAY + _hours(rng, len(creator))
    finish = start + rng.uniform(5, 30, len(creator)) * DAY
    course = rng.integers(0, _published_count(), len(creator))
    done = np.where(rng.random(len(creator)) < 0.7, 99, rng.integers(0, 3, len(creator)))
    return _plan(creator, course, start.astype(np.int64), finish.astype(np.int64), done)


def _dropout_plan(rng, trained: np.ndarray, joined: np.ndarray) -> pd.DataFrame:
    """Untrained creators who enrolled in their first two months and stopped part-way."""
    creator = np.flatnonzero(~trained & (rng.random(len(trained)) < DROPOUT_SHARE))
    start = joined[creator] + rng.uniform(0, 60, len(creator)) * DAY + _hours(rng, len(creator))
    finish = start + rng.uniform(5, 20, len(creator)) * DAY
    course = rng.integers(0, STARTERS, len(creator))
    done = rng.integers(0, 3, len(creator))  # every starter course has three lessons or more
    return _plan(creator, course, start.astype(np.int64), finish.astype(np.int64), done)


def _late_plan(rng, trained: np.ndarray, joined: np.ndarray) -> pd.DataFrame:
    """Untrained creators who completed a course, but only after their first three months."""
    creator = np.flatnonzero(~trained & (rng.random(len(trained)) < LATE_SHARE))
    start = joined[creator] + rng.uniform(100, 400, len(creator)) * DAY + _hours(rng, len(creator))
    finish = start + rng.uniform(3, 14, len(creator)) * DAY
    course = rng.integers(0, _published_count(), len(creator))
    return _plan(creator, course, start.astype(np.int64), finish.astype(np.int64), 99)


def _published_count() -> int:
    return sum(1 for *_rest, published in COURSES if published)


def _hours(rng, count: int) -> np.ndarray:
    """A time of day: 01:00–14:00 UTC is 09:00–22:00 in China."""
    return rng.integers(1 * 3600, 14 * 3600, count)


def _instants(seconds: np.ndarray) -> np.ndarray:
    return np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")
