"""Plan rules: template checks, windows and working days, due state, status rules, replanning."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prison_liaison.planning import workdays
from prison_liaison.planning.errors import Conflict, ValidationFailed
from prison_liaison.planning.offsets import Anchor, Offset
from prison_liaison.planning.plans import (
    DueState,
    ItemStatus,
    PlanItem,
    TemplateItem,
    check_item_dependencies,
    check_status_change,
    check_template,
    due_state,
    place,
    rederive,
    window,
)
from prison_liaison.services.plans import default_template

TODAY = date(2026, 3, 10)


def _item(**kw) -> PlanItem:
    kw = {"id": uuid4(), "participant_id": uuid4(), "domain": "housing", "title_de": "x", **kw}
    return PlanItem(**kw)


def test_default_template_is_valid_and_bilingual() -> None:
    name, items = default_template()
    assert name.startswith("Entlassungsvorbereitung")
    assert all(i.title_de and i.title_en for i in items)
    assert {i.key for i in items if i.shared_with_prison} >= {
        "housing",
        "identity",
        "benefits",
        "release_day",
    }
    assert not any(i.shared_with_prison for i in items if i.domain == "deradicalisation")


def test_check_template_refuses_cycles_naming_them() -> None:
    items = [
        TemplateItem(key="a", domain="housing", title_de="A", depends_on=("c",)),
        TemplateItem(key="b", domain="housing", title_de="B", depends_on=("a",)),
        TemplateItem(key="c", domain="housing", title_de="C", depends_on=("b",)),
    ]
    with pytest.raises(ValidationFailed) as info:
        check_template(items)
    assert info.value.code == "dependency_cycle"
    assert info.value.extra["cycle"] in (["a", "c", "b", "a"], ["a", "b", "c", "a"])


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([TemplateItem(key="a", domain="nope", title_de="A")], "items[0].domain"),
        (
            [TemplateItem(key="a", domain="housing", title_de="A", depends_on=("zz",))],
            "items[0].depends_on[0]",
        ),
        (
            [
                TemplateItem(key="a", domain="housing", title_de="A"),
                TemplateItem(key="a", domain="housing", title_de="B"),
            ],
            "items[1].key",
        ),
        (
            [TemplateItem(key="a", domain="housing", title_de="A", start_days=10, due_days=-10)],
            "items[0].due_days",
        ),
        (
            [TemplateItem(key="a", domain="deradicalisation", title_de="A", shared_with_prison=True)],
            "items[0].shared_with_prison",
        ),
        ([], "items"),
    ],
)
def test_check_template_names_the_bad_field(items, field) -> None:
    with pytest.raises(ValidationFailed) as info:
        check_template(items)
    assert info.value.field == field


def test_window_rolls_deadline_back_to_working_day() -> None:
    anchors = {"planning_date": date(2026, 8, 31)}
    # E−30 = Sat 01.08.2026 → Fri 31.07.; the start does not roll
    assert window(Anchor.PLANNING_DATE, -273, -30, anchors) == (date(2025, 12, 1), date(2026, 7, 31))
    assert window(Anchor.ADMISSION, 0, 30, anchors) == (None, None)


@settings(max_examples=300, deadline=None)
@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
    st.integers(-400, 400),
    st.sampled_from(["NW", "BY", "BE"]),
)
def test_working_day_offset_is_a_working_day_never_after_the_plain_offset(base, days, land) -> None:
    plain = Offset(days=days).resolve({"planning_date": base}, land)
    rolled = Offset(days=days, working_day=True).resolve({"planning_date": base}, land)
    assert plain == base + timedelta(days=days)
    assert rolled is not None and plain is not None
    assert workdays.is_working_day(rolled, land)
    assert plain - timedelta(days=6) <= rolled <= plain


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)), st.integers(-500, 500))
def test_windows_move_with_the_planning_date(base, shift) -> None:
    item = _item(start_offset_days=-90, due_offset_days=-30, anchor=Anchor.PLANNING_DATE)
    start, due = window(item.anchor, -90, -30, {"planning_date": base})
    placed = PlanItem(
        **{
            **{f: getattr(item, f) for f in item.__struct_fields__},
            "earliest_start": start,
            "latest_due": due,
        }
    )
    moves = rederive([placed], {"planning_date": base + timedelta(days=shift)})
    if shift == 0:
        assert moves == []
    for m in moves:
        assert m.new_earliest_start == start + timedelta(days=shift)  # type: ignore[operator]
        assert abs(m.days - shift) <= 6  # only the working-day roll differs


def test_rederive_keeps_hand_set_dates() -> None:
    hand = _item(due_offset_days=-30, latest_due=date(2026, 1, 1), dates_set_by_hand=True)
    assert rederive([hand], {"planning_date": date(2026, 9, 1)}) == []


@pytest.mark.parametrize(
    ("start", "due", "status", "closed", "expected"),
    [
        (date(2026, 4, 1), date(2026, 5, 1), ItemStatus.OPEN, False, DueState.NOT_YET_OPEN),
        (date(2026, 3, 1), date(2026, 5, 1), ItemStatus.OPEN, False, DueState.OPEN),
        (date(2026, 3, 1), date(2026, 3, 20), ItemStatus.IN_PROGRESS, False, DueState.DUE_SOON),
        (None, date(2026, 3, 9), ItemStatus.BLOCKED, False, DueState.OVERDUE),
        (None, date(2026, 3, 9), ItemStatus.DONE, False, DueState.CLOSED),
        (None, date(2026, 3, 9), ItemStatus.OPEN, True, DueState.CLOSED),
        (None, None, ItemStatus.OPEN, False, DueState.OPEN),
    ],
)
def test_due_state(start, due, status, closed, expected) -> None:
    item = _item(earliest_start=start, latest_due=due, status=status)
    assert due_state(item, today=TODAY, case_closed=closed) == expected


def test_done_needs_dependencies_done_or_not_needed() -> None:
    dep_open, dep_skip = _item(title_de="Ausweis"), _item(status=ItemStatus.NOT_NEEDED)
    item = _item(depends_on=(dep_open.id, dep_skip.id))
    items = {i.id: i for i in (dep_open, dep_skip, item)}
    with pytest.raises(Conflict) as info:
        check_status_change(item, ItemStatus.DONE, "", items)
    assert [d["title"] for d in info.value.extra["open_dependencies"]] == ["Ausweis"]
    check_status_change(item, ItemStatus.IN_PROGRESS, "", items)


@pytest.mark.parametrize("status", [ItemStatus.DECLINED, ItemStatus.NOT_NEEDED])
def test_declined_and_not_needed_need_a_reason(status) -> None:
    item = _item()
    with pytest.raises(ValidationFailed) as info:
        check_status_change(item, status, "  ", {item.id: item})
    assert info.value.field == "status_reason"


def test_plan_dependencies_refuse_cycles_and_strangers() -> None:
    a = _item()
    b = _item(depends_on=(a.id,))
    items = {a.id: a, b.id: b}
    with pytest.raises(ValidationFailed) as info:
        check_item_dependencies(a.id, [b.id], items)
    assert info.value.code == "dependency_cycle"
    with pytest.raises(ValidationFailed):
        check_item_dependencies(a.id, [uuid4()], items)


def test_items_anchored_on_dependencies_follow_them() -> None:
    identity = _item(anchor=Anchor.PLANNING_DATE, due_offset_days=-91, position=10)
    bank = _item(
        anchor=Anchor.DEPENDENCIES,
        start_offset_days=0,
        due_offset_days=14,
        depends_on=(identity.id,),
        position=20,
    )
    placed = place([bank, identity], {"planning_date": date(2026, 8, 31)})
    assert placed[identity.id].latest_due == date(2026, 6, 1)
    assert (placed[bank.id].earliest_start, placed[bank.id].latest_due) == (
        date(2026, 6, 1),
        date(2026, 6, 15),
    )
    # the identity card deadline set by hand: the bank account follows it
    by_hand = PlanItem(
        **{
            **{f: getattr(placed[identity.id], f) for f in PlanItem.__struct_fields__},
            "latest_due": date(2026, 5, 4),
            "dates_set_by_hand": True,
        }
    )
    moves = rederive([by_hand, placed[bank.id]], {"planning_date": date(2026, 8, 31)})
    assert [(m.id, m.new_latest_due, m.days) for m in moves] == [(bank.id, date(2026, 5, 18), -28)]


def test_check_template_dependency_anchor_needs_dependencies() -> None:
    with pytest.raises(ValidationFailed) as info:
        check_template([TemplateItem(key="a", domain="housing", title_de="A", anchor=Anchor.DEPENDENCIES)])
    assert info.value.field == "items[0].anchor"
