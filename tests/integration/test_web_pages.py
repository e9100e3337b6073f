"""The web pages over HTTP (no browser): sessions, CSRF, access rules and the forms that exist so far."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support import PASSWORD, World

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
NONCE_RE = re.compile(r'name="login_csrf" value="([^"]+)"')


@pytest.fixture
async def browser(app: Any, db: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie jar of its own, like one browser."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


async def web_login(
    browser: httpx.AsyncClient, username: str, password: str = PASSWORD, next_url: str = ""
) -> httpx.Response:
    form = await browser.get("/web/login")
    nonce = NONCE_RE.search(form.text)
    assert nonce, form.text
    return await browser.post(
        "/web/login",
        data={"username": username, "password": password, "login_csrf": nonce.group(1), "next": next_url},
    )


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, html
    return found.group(1)


async def test_pages_without_session_redirect_to_login(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/web/participants")
    assert response.status_code == 303
    assert response.headers["location"] == "/web/login?next=/web/participants"


async def test_root_leads_to_the_pages(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/")
    assert (response.status_code, response.headers["location"]) == (303, "/web/")


async def test_login_sets_a_strict_httponly_session_cookie(world: World, browser: httpx.AsyncClient) -> None:
    response = await web_login(browser, "mentor1", next_url="/web/participants")
    assert response.status_code == 303
    assert response.headers["location"] == "/web/participants"
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("pl_session="))
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/" in cookie
    page = await browser.get("/web/participants")
    assert page.status_code == 200
    assert 'lang="de"' in page.text
    assert "T-0001" in page.text and "T-0002" in page.text
    assert "T-0003" not in page.text  # not mentor1's case


async def test_login_wrong_password_answers_in_german(world: World, browser: httpx.AsyncClient) -> None:
    response = await web_login(browser, "mentor1", "wrong password!")
    assert response.status_code == 401
    assert "Benutzername oder Passwort ist falsch." in response.text
    assert "pl_session=" not in response.headers.get("set-cookie", "")


async def test_login_throttled_tells_how_long_to_wait(world: World, browser: httpx.AsyncClient) -> None:
    for _ in range(5):
        await web_login(browser, "mentor2", "wrong password!")
    response = await web_login(browser, "mentor2")
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen" in response.text
    assert re.search(r"warten Sie \d+ Minute", response.text)


async def test_login_without_nonce_is_refused(world: World, browser: httpx.AsyncClient) -> None:
    response = await browser.post("/web/login", data={"username": "mentor1", "password": PASSWORD})
    assert response.status_code == 403
    assert "pl_session" not in browser.cookies


async def test_next_url_cannot_leave_the_site(world: World, browser: httpx.AsyncClient) -> None:
    response = await web_login(browser, "mentor1", next_url="//evil.example/")
    assert response.headers["location"] == "/web/"


async def test_participant_of_someone_else_is_a_404_page(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "mentor1")
    response = await browser.get(f"/web/participants/{world.participants['T-0003']}")
    assert response.status_code == 404
    assert "Nicht gefunden" in response.text
    own = await browser.get(f"/web/participants/{world.participants['T-0001']}")
    assert own.status_code == 200
    assert "T-0001" in own.text and "A.A." in own.text


async def test_post_without_csrf_is_refused_and_changes_nothing(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "mentor1")
    pid = world.participants["T-0001"]
    response = await browser.post(f"/web/participants/{pid}/base", data={"cadence_days": "7", "version": "1"})
    assert response.status_code == 403
    after = await world.get("mentor1", f"/api/v1/participants/{pid}")
    assert after.json()["cadence_days"] == 14


async def test_mentor_changes_cadence_through_the_form(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "mentor1")
    pid = world.participants["T-0001"]
    page = await browser.get(f"/web/participants/{pid}")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    response = await browser.post(
        f"/web/participants/{pid}/base",
        data={
            "csrf_token": csrf_of(page.text),
            "version": version.group(1),
            "cadence_days": "7",
            "notes": "Neue Notiz",
        },
    )
    assert (response.status_code, response.headers["location"]) == (303, f"/web/participants/{pid}?ok=saved")
    after = await world.get("mentor1", f"/api/v1/participants/{pid}")
    assert after.json()["cadence_days"] == 7
    stale = await browser.post(
        f"/web/participants/{pid}/base",
        data={"csrf_token": csrf_of(page.text), "version": version.group(1), "cadence_days": "21"},
    )
    assert stale.status_code == 412
    assert "inzwischen von jemand anderem geändert" in stale.text


async def test_language_switch_is_remembered(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "mentor1")
    english = await browser.get("/web/participants?lang=en")
    assert 'lang="en"' in english.text and "Participants" in english.text
    again = await browser.get("/web/participants")
    assert 'lang="en"' in again.text


async def test_logout_ends_the_session_on_the_server(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "mentor1")
    page = await browser.get("/web/")
    token = browser.cookies["pl_session"]
    response = await browser.post("/web/logout", data={"csrf_token": csrf_of(page.text)})
    assert (response.status_code, response.headers["location"]) == (303, "/web/login?out=1")
    browser.cookies.set("pl_session", token)
    assert (await browser.get("/web/")).status_code == 303


async def test_prison_staff_see_only_shared_cases_without_names(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "prison1")
    start = await browser.get("/web/")
    assert start.status_code == 200
    assert "Zurzeit ist kein Plan für Ihre Anstalt freigegeben." in start.text
    assert "T-0001" not in start.text
    assert (await browser.get(f"/web/participants/{world.participants['T-0001']}")).status_code == 404
    assert (await browser.get("/web/admin/users")).status_code == 404


async def test_coordinator_adds_and_removes_a_closure(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "coordinator")
    prison_id = world.prisons["JVA-A"]
    page = await browser.get(f"/web/admin/prisons/{prison_id}")
    assert "Keine Schließtage eingetragen." in page.text
    response = await browser.post(
        f"/web/admin/prisons/{prison_id}/closures",
        data={
            "csrf_token": csrf_of(page.text),
            "start_date": "2026-03-20",
            "end_date": "",
            "reason": "Personalversammlung",
        },
    )
    assert response.status_code == 303
    prison = (await world.get("coordinator", f"/api/v1/prisons/{prison_id}")).json()
    assert [(c["start_date"], c["end_date"], c["reason"]) for c in prison["closures"]] == [
        ("2026-03-20", "2026-03-20", "Personalversammlung")
    ]
    bad = await browser.post(
        f"/web/admin/prisons/{prison_id}/closures",
        data={"csrf_token": csrf_of(page.text), "start_date": "2026-04-10", "end_date": "2026-04-01"},
    )
    assert bad.status_code == 422
    assert "Das hat nicht geklappt" in bad.text


async def test_mentor_cannot_open_coordinator_pages(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "mentor1")
    for url in (
        "/web/admin/users",
        "/web/admin/prisons",
        f"/web/admin/prisons/{world.prisons['JVA-A']}",
        "/web/admin/audit",
    ):
        response = await browser.get(url)
        assert response.status_code == 404, url
        assert "Nicht gefunden" in response.text


async def test_coordinator_creates_and_deactivates_a_user(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "coordinator")
    page = await browser.get("/web/admin/users")
    created = await browser.post(
        "/web/admin/users",
        data={
            "csrf_token": csrf_of(page.text),
            "username": "mentor9",
            "display_name": "Neu",
            "role": "mentor",
            "prison_id": "",
        },
    )
    assert created.status_code == 201
    assert "Benutzer mentor9 angelegt" in created.text
    users = (await world.get("coordinator", "/api/v1/users")).json()["items"]
    new = next(u for u in users if u["username"] == "mentor9")
    response = await browser.post(
        f"/web/admin/users/{new['id']}/active", data={"csrf_token": csrf_of(page.text), "active": "0"}
    )
    assert response.status_code == 303
    assert (await world.get("coordinator", f"/api/v1/users/{new['id']}")).json()["active"] is False


async def test_audit_page_lists_reads(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "coordinator")
    page = await browser.get("/web/admin/audit?action=auth.login")
    assert page.status_code == 200
    assert "auth.login" in page.text and "coordinator" in page.text


async def test_pages_carry_the_strict_csp(world: World, browser: httpx.AsyncClient) -> None:
    page = await browser.get("/web/login")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text and "style=" not in page.text
    static = await browser.get("/static/htmx.min.js")
    assert static.status_code == 200 and "htmx" in static.text[:200]


async def test_api_login_throttled_after_repeated_failures(world: World, client: Any) -> None:
    codes = []
    for _ in range(6):
        response = await client.post("/api/v1/auth/token", json={"username": "mentor3", "password": "wrong pass!"})
        codes.append(response.status_code)
    assert codes == [401] * 5 + [429]
    assert response.json()["code"] == "login_throttled"
    assert int(response.headers["retry-after"]) > 0


async def test_coordinator_adds_and_removes_a_visiting_window(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "coordinator")
    prison_id = world.prisons["JVA-B"]
    page = await browser.get(f"/web/admin/prisons/{prison_id}")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    response = await browser.post(
        f"/web/admin/prisons/{prison_id}/windows",
        data={
            "csrf_token": csrf_of(page.text),
            "version": version.group(1),
            "weekday": "5",
            "start_time": "10:00",
            "end_time": "12:00",
        },
    )
    assert response.status_code == 303
    prison = (await world.get("coordinator", f"/api/v1/prisons/{prison_id}")).json()
    saturday = [w for w in prison["windows"] if w["weekday"] == 5]
    assert [(w["start_time"][:5], w["end_time"][:5]) for w in saturday] == [("10:00", "12:00")]
    assert len(prison["windows"]) == 6
    page = await browser.get(f"/web/admin/prisons/{prison_id}")
    assert "Samstag" in page.text
    stale = await browser.post(
        f"/web/admin/prisons/{prison_id}/windows/{saturday[0]['id']}/delete",
        data={"csrf_token": csrf_of(page.text), "version": version.group(1)},
    )
    assert stale.status_code == 412
    new_version = re.search(r'name="version" value="(\d+)"', page.text)
    assert new_version
    removed = await browser.post(
        f"/web/admin/prisons/{prison_id}/windows/{saturday[0]['id']}/delete",
        data={"csrf_token": csrf_of(page.text), "version": new_version.group(1)},
    )
    assert removed.status_code == 303
    prison = (await world.get("coordinator", f"/api/v1/prisons/{prison_id}")).json()
    assert len(prison["windows"]) == 5


async def test_unknown_page_is_the_404_page(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "mentor1")
    response = await browser.get("/web/no/such/page")
    assert response.status_code == 404
    assert "Nicht gefunden" in response.text
    assert (await browser.get("/web/participants")).status_code == 200


SLOT_RE = re.compile(r'name="starts_at" value="([^"]+)">\s*<input type="hidden" name="ends_at" value="([^"]+)"')


async def test_mentor_books_a_proposed_slot(world: World, browser: httpx.AsyncClient, fixed_clock: Any) -> None:
    await web_login(browser, "mentor1")
    pid = world.participants["T-0001"]
    page = await browser.get(f"/web/planner?participant_id={pid}&start=2026-03-16&end=2026-03-20&minutes=60")
    assert page.status_code == 200
    slots = SLOT_RE.findall(page.text)
    assert slots and slots[0][0].startswith("2026-03-16T")
    assert "Mo, 16.03.2026" in page.text
    response = await browser.post(
        "/web/visits",
        data={
            "csrf_token": csrf_of(page.text),
            "participant_id": str(pid),
            "starts_at": slots[0][0],
            "ends_at": slots[0][1],
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/web/participants/{pid}?ok=visit_booked#visits"
    visits = (await world.get("mentor1", f"/api/v1/visits?participant_id={pid}")).json()["items"]
    assert [(v["status"], v["starts_at"][:16]) for v in visits] == [("planned", slots[0][0][:16])]
    assert sorted(visits[0]["mentor_ids"]) == sorted([str(world.users["mentor1"].id), str(world.users["mentor2"].id)])
    detail = await browser.get(f"/web/participants/{pid}?ok=visit_booked")
    assert "Besuch eingetragen." in detail.text and "geplant" in detail.text


async def test_booking_outside_visiting_hours_is_explained(
    world: World, browser: httpx.AsyncClient, fixed_clock: Any
) -> None:
    await web_login(browser, "mentor1")
    pid = world.participants["T-0001"]
    page = await browser.get(f"/web/planner?participant_id={pid}")
    response = await browser.post(
        "/web/visits",
        data={
            "csrf_token": csrf_of(page.text),
            "participant_id": str(pid),
            "day": "2026-03-16",
            "start_time": "14:00",
            "length": "60",
        },
    )
    assert response.status_code == 409
    assert "außerhalb der Besuchszeiten" in response.text
    assert (await world.get("mentor1", f"/api/v1/visits?participant_id={pid}")).json()["items"] == []


async def test_mentor_cancels_a_visit_with_a_reason(world: World, browser: httpx.AsyncClient, fixed_clock: Any) -> None:
    pid = world.participants["T-0001"]
    created = await world.post(
        "mentor1",
        "/api/v1/visits",
        json={
            "participant_id": str(pid),
            "starts_at": "2026-03-16T10:00:00+01:00",
            "ends_at": "2026-03-16T11:00:00+01:00",
            "mentor_ids": [str(world.users["mentor1"].id)],
        },
    )
    assert created.status_code == 201, created.text
    visit = created.json()
    await web_login(browser, "mentor1")
    page = await browser.get(f"/web/participants/{pid}")
    version = re.search(rf'/web/visits/{visit["id"]}/cancel".*?name="version" value="(\d+)"', page.text, re.S)
    assert version
    missing_note = await browser.post(
        f"/web/visits/{visit['id']}/cancel",
        data={
            "csrf_token": csrf_of(page.text),
            "participant_id": str(pid),
            "version": version.group(1),
            "reason": "other",
            "cancelled_by": "mentor",
            "note": "",
        },
    )
    assert missing_note.headers["location"] == f"/web/participants/{pid}?error=validation_failed&field=note#visits"
    shown = await browser.get(f"/web/participants/{pid}?error=validation_failed&field=note")
    assert "Bitte prüfen Sie das Feld „Bemerkung“" in shown.text
    done = await browser.post(
        f"/web/visits/{visit['id']}/cancel",
        data={
            "csrf_token": csrf_of(page.text),
            "participant_id": str(pid),
            "version": version.group(1),
            "reason": "lockdown",
            "cancelled_by": "prison",
            "note": "",
        },
    )
    assert done.headers["location"] == f"/web/participants/{pid}?ok=done_cancel#visits"
    after = (await world.get("mentor1", f"/api/v1/visits/{visit['id']}")).json()
    assert (after["status"], after["cancel_reason"]) == ("cancelled", "lockdown")


async def test_error_codes_in_the_address_are_never_echoed(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "mentor1")
    pid = world.participants["T-0001"]
    page = await browser.get(f"/web/participants/{pid}?error=<script>x</script>&field=<b>")
    assert "<script>x" not in page.text and "&lt;script&gt;" not in page.text
    assert "Die Eingabe konnte nicht verarbeitet werden." in page.text


async def test_mentor_downloads_the_printable_plan(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "mentor1")
    pid = world.participants["T-0001"]
    page = await browser.get(f"/web/participants/{pid}")
    assert f"/web/participants/{pid}/plan.pdf" in page.text
    html = await browser.get(f"/web/participants/{pid}/plan.html")
    assert html.status_code == 200
    assert "T-0001" in html.text and "Alpha" not in html.text
    other = await browser.get(f"/web/participants/{world.participants['T-0003']}/plan.html")
    assert other.status_code == 404


async def test_mentor_shares_with_consent_and_staff_then_see_the_case(
    world: World, browser: httpx.AsyncClient, app: Any
) -> None:
    await web_login(browser, "mentor1")
    pid = world.participants["T-0001"]
    page = await browser.get(f"/web/participants/{pid}")
    assert "Der Plan ist mit keiner JVA geteilt." in page.text
    missing = await browser.post(
        f"/web/participants/{pid}/shares",
        data={
            "csrf_token": csrf_of(page.text),
            "prison_id": str(world.prisons["JVA-A"]),
            "scope": ["housing", "identity"],
            "consent_date": "2026-01-05",
            "consent_scope": "",
        },
    )
    assert "error=consent_scope_missing" in missing.headers["location"]
    done = await browser.post(
        f"/web/participants/{pid}/shares",
        data={
            "csrf_token": csrf_of(page.text),
            "prison_id": str(world.prisons["JVA-A"]),
            "scope": ["housing", "identity"],
            "consent_date": "2026-01-05",
            "consent_scope": "Wohnen und Ausweis mit dem Sozialdienst besprechen",
        },
    )
    assert done.headers["location"] == f"/web/participants/{pid}?ok=share_created#shares"
    shares = (await world.get("mentor1", f"/api/v1/participants/{pid}/shares")).json()["items"]
    assert [(s["scope"], s["consent_date"]) for s in shares] == [(["housing", "identity"], "2026-01-05")]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as staff:
        await web_login(staff, "prison1")
        start = await staff.get("/web/")
        assert "T-0001" in start.text and "T-0002" not in start.text
        case = await staff.get(f"/web/participants/{pid}")
        assert case.status_code == 200
        assert "Alpha" not in case.text and "Fall bearbeiten" not in case.text
        assert "Wohnen, Ausweis" in case.text


async def test_mentor_creates_and_revokes_a_calendar(world: World, browser: httpx.AsyncClient) -> None:
    await web_login(browser, "mentor1")
    page = await browser.get("/web/calendars")
    assert "Google Kalender etwa alle 8–24 Stunden" in page.text
    created = await browser.post(
        "/web/calendars",
        data={"csrf_token": csrf_of(page.text), "name": "Dienst", "scope": "mentor", "target": "", "content": "all"},
    )
    assert created.status_code == 201
    url = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', created.text)
    assert url and url.group(1).startswith("http://testserver.local/feeds/")
    assert "webcal://testserver.local/feeds/" in created.text
    assert "calendar.google.com/calendar/render?cid=webcal" in created.text
    feed = await browser.get(url.group(1).replace("http://testserver.local", ""))
    assert feed.status_code == 200 and "BEGIN:VCALENDAR" in feed.text
    subs = (await world.get("mentor1", "/api/v1/calendar-subscriptions")).json()["items"]
    revoked = await browser.post(f"/web/calendars/{subs[0]['id']}/revoke", data={"csrf_token": csrf_of(page.text)})
    assert revoked.headers["location"] == "/web/calendars?ok=calendar_revoked"
    assert (await browser.get(url.group(1).replace("http://testserver.local", ""))).status_code == 404


ITEM_FORM_RE = re.compile(r'action="/web/plan-items/([0-9a-f-]+)/status".*?name="version" value="(\d+)"', re.S)


async def test_mentor_plans_records_an_official_date_and_closes_an_item(
    world: World, browser: httpx.AsyncClient, fixed_clock: Any
) -> None:
    await web_login(browser, "mentor1")
    pid = world.participants["T-0001"]
    page = await browser.get(f"/web/participants/{pid}")
    assert "Für diese Person gibt es noch keinen Plan." in page.text
    created = await browser.post(f"/web/participants/{pid}/plan", data={"csrf_token": csrf_of(page.text)})
    assert created.headers["location"] == f"/web/participants/{pid}?ok=plan_created#plan"
    dated = await browser.post(f"/web/participants/{pid}/release-dates", data={
        "csrf_token": csrf_of(page.text), "kind": "planned_release", "date": "2026-09-15",
        "source": "prison_letter", "note": "Schreiben vom 2. März"})
    assert dated.status_code == 201
    assert "Was sich verschoben hat:" in dated.text and "15.09.2026" in dated.text
    item_id, version = ITEM_FORM_RE.findall(dated.text)[0]
    refused = await browser.post(f"/web/plan-items/{item_id}/status", data={
        "csrf_token": csrf_of(page.text), "participant_id": str(pid), "version": version, "status": "not_needed"})
    assert "error=reason_required" in refused.headers["location"]
    shown = await browser.get(refused.headers["location"].split("#")[0])
    assert "Für „nicht nötig“ und „abgelehnt“ ist ein Grund nötig." in shown.text
    done = await browser.post(f"/web/plan-items/{item_id}/status", data={
        "csrf_token": csrf_of(page.text), "participant_id": str(pid), "version": version, "status": "done",
        "reason": "erledigt im Gespräch"})
    assert done.headers["location"] == f"/web/participants/{pid}?ok=item_status_changed#item-{item_id}"
    plan = (await world.get("mentor1", f"/api/v1/participants/{pid}/plan")).json()
    item = next(i for i in plan["items"] if i["id"] == item_id)
    assert item["status"] == "done"
