"""What a printed plan shows to whom, and what changed between two prints: pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from prison_liaison.exports.labels import change_text, format_date, format_datetime
from prison_liaison.planning.documents import (
    AppointmentView,
    Change,
    PlanContent,
    PlanItemView,
    ReleaseDateView,
    active_share_scope,
    changes_between,
    current_release_dates,
    for_prison,
    group_by_domain,
    initials_of,
    snapshot,
    upcoming,
)

TODAY = date(2026, 3, 10)


def _item(title: str, domain: str = "housing", **kw: object) -> PlanItemView:
    return PlanItemView(
        id=uuid4(),
        domain=domain,
        title_de=title,
        title_en=kw.pop("title_en", ""),  # type: ignore[arg-type]
        status=kw.pop("status", "open"),
        **kw,
    )  # type: ignore[arg-type]


def _content(items: tuple[PlanItemView, ...], appointments: tuple[AppointmentView, ...] = ()) -> PlanContent:
    return PlanContent(
        items=items,
        appointments=appointments,
        release_dates=(),
        planning_date=date(2026, 9, 9),
        planning_basis="sentence_end",
        mentors=(),
    )


def test_share_scope_is_the_union_of_active_shares_without_deradicalisation() -> None:
    shares = [
        {"scope": ["housing", "deradicalisation"], "expires_on": None, "revoked_at": None},
        {"scope": ["identity"], "expires_on": date(2026, 3, 10), "revoked_at": None},
        {"scope": ["income"], "expires_on": date(2026, 3, 9), "revoked_at": None},
        {"scope": ["health"], "expires_on": None, "revoked_at": datetime(2026, 3, 1, tzinfo=UTC)},
    ]

    assert active_share_scope(shares, today=TODAY) == frozenset({"housing", "identity"})


def test_prison_copy_keeps_flagged_items_of_shared_domains_without_notes() -> None:
    housing = _item("Wohnung", shared_with_prison=True, notes="privat")
    unflagged = _item("Schulden", domain="housing")
    other_domain = _item("Krankenkasse", domain="health", shared_with_prison=True)
    derad = _item("Reflexion", domain="deradicalisation", shared_with_prison=True)
    linked_hidden = AppointmentView(
        id=uuid4(),
        starts_at=datetime(2026, 3, 20, 9),
        ends_at=datetime(2026, 3, 20, 10),
        agency="Schuldnerberatung",
        plan_item_id=unflagged.id,
        contact="Frau X",
    )
    linked_shown = AppointmentView(
        id=uuid4(),
        starts_at=datetime(2026, 3, 21, 9),
        ends_at=datetime(2026, 3, 21, 10),
        agency="Wohnungsamt",
        plan_item_id=housing.id,
        contact="Herr Y",
    )
    unflagged_appt = AppointmentView(
        id=uuid4(),
        starts_at=datetime(2026, 3, 22, 9),
        ends_at=datetime(2026, 3, 22, 10),
        agency="Intern",
        shared_with_prison=False,
    )
    content = _content(
        (housing, unflagged, other_domain, derad), (linked_hidden, linked_shown, unflagged_appt)
    )

    copy = for_prison(content, frozenset({"housing", "deradicalisation"}))

    assert [i.title_de for i in copy.items] == ["Wohnung"]
    assert copy.items[0].notes == ""
    assert [(a.agency, a.contact) for a in copy.appointments] == [("Wohnungsamt", "")]
    assert copy.release_dates == ()


def test_due_state_follows_the_window_and_the_status() -> None:
    assert _item("a", latest_due=date(2026, 3, 9)).due_state(TODAY) == "overdue"
    assert _item("a", latest_due=date(2026, 3, 9), status="done").due_state(TODAY) == "closed"
    assert _item("a", latest_due=date(2026, 4, 1), earliest_start=date(2026, 3, 20)).due_state(TODAY) == (
        "not_yet_open"
    )
    assert (
        _item("a", latest_due=date(2026, 4, 1), earliest_start=date(2026, 3, 1)).due_state(TODAY)
        == "due_soon"
    )
    assert _item("a").due_state(TODAY) == "open"


def test_sections_follow_the_domain_order_of_the_checklist() -> None:
    items = (_item("x", domain="zzz_custom"), _item("b", domain="income"), _item("a", domain="housing"))

    assert [s.domain for s in group_by_domain(items)] == ["housing", "income", "zzz_custom"]


def test_changes_between_prints_name_what_moved_closed_came_and_went() -> None:
    moved = _item("Wohnung", latest_due=date(2026, 5, 1))
    closed = _item("Ausweis", latest_due=date(2026, 4, 1))
    removed = _item("Alt", latest_due=date(2026, 4, 1))
    appt = AppointmentView(
        id=uuid4(), starts_at=datetime(2026, 3, 20, 10), ends_at=datetime(2026, 3, 20, 11), agency="Jobcenter"
    )
    before = snapshot(_content((moved, closed, removed), (appt,)))
    added = _item("Neu", latest_due=date(2026, 6, 1))
    after_items = (
        PlanItemView(**{**_fields(moved), "latest_due": date(2026, 5, 15)}),
        PlanItemView(**{**_fields(closed), "status": "done"}),
        added,
    )
    after_appt = AppointmentView(**{**_fields(appt), "starts_at": datetime(2026, 3, 18, 10)})
    after = snapshot(
        PlanContent(
            items=after_items,
            appointments=(after_appt,),
            release_dates=(),
            planning_date=date(2026, 8, 31),
            planning_basis="two_thirds",
            mentors=(),
        )
    )

    changes = changes_between(before, after)

    assert changes == (
        Change(kind="planning_date_moved", old="2026-09-09", new="2026-08-31", days=-9),
        Change(kind="item_moved", title_de="Wohnung", old="2026-05-01", new="2026-05-15", days=14),
        Change(kind="item_closed", title_de="Ausweis", old="open", new="done"),
        Change(kind="item_added", title_de="Neu", new="2026-06-01"),
        Change(kind="item_removed", title_de="Alt", old="2026-04-01"),
        Change(
            kind="appointment_moved",
            title_de="Jobcenter",
            title_en="Jobcenter",
            old="2026-03-20T10:00:00",
            new="2026-03-18T10:00:00",
            days=-2,
        ),
    )
    assert [change_text(c, "de") for c in changes] == [
        "Planungsdatum verschoben: 09.09.2026 → 31.08.2026 (9 Tage früher)",
        "„Wohnung“: Frist verschoben 01.05.2026 → 15.05.2026 (14 Tage später)",
        "„Ausweis“: abgeschlossen (erledigt)",
        "„Neu“: neu im Plan, fällig bis 01.06.2026",
        "„Alt“: aus dem Plan entfernt",
        "Termin verlegt: Jobcenter, Fr, 20.03.2026, 10:00 Uhr → Mi, 18.03.2026, 10:00 Uhr",
    ]
    assert changes_between(after, after) == ()


def _fields(value: object) -> dict[str, object]:
    import msgspec

    return {f.name: getattr(value, f.name) for f in msgspec.structs.fields(value)}  # type: ignore[arg-type]


def test_current_release_dates_take_the_latest_ledger_entry_per_kind() -> None:
    entries = [
        ReleaseDateView(
            kind="sentence_end",
            date=date(2026, 9, 9),
            source="prison_letter",
            recorded_at=datetime(2026, 2, 1, tzinfo=UTC),
        ),
        ReleaseDateView(
            kind="two_thirds",
            date=date(2026, 5, 2),
            source="computed",
            recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
        ),
        ReleaseDateView(
            kind="sentence_end",
            date=date(2026, 9, 10),
            source="computed",
            recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
        ),
    ]

    current = current_release_dates(entries)

    assert [(e.kind, e.date, e.source) for e in current] == [
        ("sentence_end", date(2026, 9, 9), "prison_letter"),
        ("two_thirds", date(2026, 5, 2), "computed"),
    ]


def test_upcoming_appointments_skip_past_and_cancelled_ones() -> None:
    def appt(day: int, status: str = "planned") -> AppointmentView:
        return AppointmentView(
            id=uuid4(),
            starts_at=datetime(2026, 3, day, 9),
            ends_at=datetime(2026, 3, day, 10),
            agency=f"A{day}",
            status=status,
        )

    result = upcoming(
        (appt(20), appt(5), appt(12, "cancelled"), appt(11)), now_local=datetime(2026, 3, 10, 9)
    )

    assert [a.agency for a in result] == ["A11", "A20"]


def test_initials_and_date_formats() -> None:
    assert initials_of("anna", "Alpha") == "A.A."
    assert initials_of("", None) == ""
    assert format_date(date(2026, 3, 10), "de", weekday=True) == "Di, 10.03.2026"
    assert format_date(date(2026, 3, 10), "en", weekday=True) == "Tue, 10 Mar 2026"
    assert format_datetime(datetime(2026, 3, 10, 9, 5), "de") == "Di, 10.03.2026, 09:05 Uhr"
    assert format_date(None, "de") == "–"


def test_day_bounds_follow_the_prisons_time_zone_across_dst() -> None:
    from zoneinfo import ZoneInfo

    from prison_liaison.services.documents import day_bounds

    berlin = ZoneInfo("Europe/Berlin")
    start, end = day_bounds(date(2026, 3, 29), berlin)

    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # 23 hours: clocks go forward


async def test_renderer_refuses_more_waiting_documents_than_its_bound() -> None:
    import asyncio

    import pytest

    from prison_liaison.exports.pdf import DocumentRenderer
    from prison_liaison.planning.errors import TooManyRequests
    from prison_liaison.settings import TEMPLATES_DIR

    renderer = DocumentRenderer(TEMPLATES_DIR / "documents", 1, max_waiting=1)
    html = '<!DOCTYPE html><html lang="de"><head><title>x</title></head><body><h1>Grüße</h1></body></html>'

    first = asyncio.ensure_future(renderer.render_pdf(html, "de"))
    await asyncio.sleep(0)
    with pytest.raises(TooManyRequests):
        await renderer.render_pdf(html, "de")
    assert (await first).startswith(b"%PDF-")
