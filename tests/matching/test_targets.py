import pytest

from creators import taxonomy
from matching import targets


@pytest.mark.parametrize(
    "described",
    [
        {},
        {"gender": "female", "age": "25_30", "city_tier": "t3", "interest": "young_mothers"},
        {"gender": "balanced", "interest": "gamers"},
        {"gender": "male", "age": "over_50"},
    ],
)
def test_every_axis_is_a_distribution(described):
    portrait = targets.target_portrait(**described)
    assert set(portrait) == set(taxonomy.AUDIENCE_AXES)
    for axis, shares in portrait.items():
        taxonomy.validate_distribution(axis, shares)


def test_a_choice_holds_the_focus_and_the_rest_share_evenly():
    portrait = targets.target_portrait(gender="female", age="25_30", interest="tech")
    assert portrait["gender"] == {"female": targets.GENDER_LEAN, "male": pytest.approx(0.2)}
    assert portrait["age"]["25_30"] == targets.FOCUS
    others = {share for key, share in portrait["age"].items() if key != "25_30"}
    assert len(others) == 1 and others.pop() == pytest.approx(0.4 / 5)
    assert max(portrait["interests"], key=portrait["interests"].get) == "tech"


def test_an_open_axis_is_uniform():
    portrait = targets.target_portrait()
    assert len(set(portrait["city_tier"].values())) == 1
    assert portrait["gender"] == {"female": 0.5, "male": 0.5}


def test_unknown_keys_are_refused():
    with pytest.raises(ValueError):
        targets.target_portrait(age="teen")
    with pytest.raises(ValueError):
        targets.target_portrait(gender="other")


def test_category_code():
    assert targets.category_code(None) == -1
    assert taxonomy.VERTICAL[targets.category_code("food")] == "food"
