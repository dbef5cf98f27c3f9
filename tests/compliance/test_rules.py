"""The rule track: one pass over the lexicon, spans on the original text, exceptions, overlaps."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.engine.rules import LexiconError, Matcher, fold, parse_lexicon, shipped_lexicon

MATCHER = Matcher(shipped_lexicon())


def hits(text, **kwargs):
    return [(h.rule, h.category, h.start, h.end, h.text) for h in MATCHER.find(text, **kwargs)]


@pytest.mark.parametrize(
    ("text", "rule", "category"),
    [
        ("这是全网最好的面霜", "最好", "absolute"),
        ("国家级认证的好米", "国家级", "absolute"),
        ("用了就能根治湿疹", "根治", "medical"),
        ("喜欢的加微信私聊", "加微信", "off_platform"),
        ("高仿包包到货", "高仿", "counterfeit"),
        ("A货手表，做工一流", "a货", "counterfeit"),
        ("今天史上最低价", "史上最低价", "fake_price"),
    ],
)
def test_each_category_is_found_with_its_span(text, rule, category):
    (found,) = [h for h in MATCHER.find(text) if h.rule == rule]
    assert found.category == category
    assert text[found.start : found.end] == found.text
    assert fold(found.text) == rule


@pytest.mark.parametrize(
    "text",
    [
        "最近天气转凉，记得加件外套",
        "最后一步，把面膜揭下来",
        "第一次用这个牌子的洗发水",
        "第一步先洁面，第二步上爽肤水",
        "唯一的遗憾是颜色少了点",
        "退货时要填原单号",
        "这是高仿真的恐龙模型，给孩子玩",
        "本品不能替代药物，请遵医嘱治疗",
        "面料是100%纯棉的",
        "谨防私下交易，所有订单请在平台完成",
        "最好先在耳后试用一下",
    ],
)
def test_ordinary_words_that_contain_a_trigger_are_not_hits(text):
    assert hits(text) == []


def test_the_longest_hit_wins_and_hits_come_in_reading_order():
    text = "史上最低价，加微信私聊下单"
    assert hits(text) == [
        ("史上最低价", "fake_price", 0, 5, "史上最低价"),
        ("加微信", "off_platform", 6, 9, "加微信"),
        ("私聊下单", "off_platform", 9, 13, "私聊下单"),
    ]


def test_full_width_and_case_are_folded_but_spans_index_the_original():
    assert hits("１００％有效") == [("100%", "absolute", 0, 4, "１００％")]
    assert hits("加VX有优惠") == [("加vx", "off_platform", 0, 3, "加VX")]


def test_a_vertical_outside_a_categorys_verticals_lowers_its_severity():
    lexicon = shipped_lexicon()
    medical = lexicon.categories["medical"]
    (beauty,) = MATCHER.find("这款面霜能祛斑", vertical="beauty")
    (education,) = MATCHER.find("这款面霜能祛斑", vertical="education")
    (unknown,) = MATCHER.find("这款面霜能祛斑")
    assert beauty.severity == unknown.severity == medical.severity
    assert education.severity == medical.elsewhere < medical.severity


def test_a_malformed_lexicon_is_refused():
    with pytest.raises(LexiconError):
        parse_lexicon({"version": "x", "categories": {}})
    good = {
        "version": "1",
        "severities": {"low": 0.4},
        "categories": {"a": {"label": "A", "severity": "low", "terms": ["x", "X"]}},
    }
    with pytest.raises(LexiconError, match="twice"):
        parse_lexicon(good)


def test_the_shipped_lexicon_has_every_category_and_a_version():
    lexicon = shipped_lexicon()
    assert set(lexicon.categories) == {
        "absolute",
        "medical",
        "off_platform",
        "counterfeit",
        "fake_price",
    }
    assert lexicon.version


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("最好第一次唯一的遗憾加微信高仿ＡＢａ１００％ 治疗")),
        max_size=40,
    )
)
def test_hits_are_disjoint_ordered_spans_of_the_text(text):
    found = MATCHER.find(text)
    assert len(fold(text)) == len(text)
    previous_end = 0
    for hit in found:
        assert previous_end <= hit.start < hit.end <= len(text)
        assert text[hit.start : hit.end] == hit.text
        assert fold(hit.text) == hit.rule
        previous_end = hit.end


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_matched_without_error(text):
    for hit in MATCHER.find(text):
        assert text[hit.start : hit.end] == hit.text


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("我们不卖高仿，所有货都是品牌直供", True),
        ("家人们千万别加微信", True),
        ("说是全网最低价，结果别家更便宜", True),
        ("高仿手表戴了半年了", False),
        ("不节食不运动，祛斑美白", False),  # the cue is in another clause
        ("不是我吹，这个是世界第一好穿的运动鞋", False),
    ],
)
def test_a_hit_after_a_negation_cue_in_its_clause_counts_at_a_fraction(text, negated):
    (hit,) = MATCHER.find(text)[:1]
    spec = shipped_lexicon().categories[hit.category]
    assert hit.negated is negated
    factor = shipped_lexicon().negations.factor if negated else 1.0
    assert hit.severity == pytest.approx(spec.severity * factor)
