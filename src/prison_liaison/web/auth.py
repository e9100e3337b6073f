"""Cookie sessions for the pages: who is asking, their CSRF token and language, and the page renderer.

The bearer middleware leaves ``/web`` alone; every page asks for ``session`` (a dependency) which checks the
``pl_session`` cookie through the same auth service as the API, or sends the browser to the login page.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from prison_liaison.planning.errors import DomainError, Forbidden, Unauthorized
from prison_liaison.planning.models import Role
from prison_liaison.services import auth as auth_service
from prison_liaison.services.context import Caller, anonymous
from prison_liaison.settings import get_settings
from prison_liaison.web.i18n import BERLIN, Translator, pick_lang

SESSION_COOKIE = "pl_session"
LANG_COOKIE = "pl_lang"
LOGIN_CSRF_COOKIE = "pl_login_csrf"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


class LoginRequired(Exception):
    def __init__(self, next_url: str = "") -> None:
        super().__init__("login required")
        self.next_url = next_url


@dataclass(frozen=True)
class WebSession:
    caller: Caller
    csrf_token: str
    lang: str

    @property
    def t(self) -> Translator:
        return Translator(self.lang)


def secure_cookies() -> bool:
    return get_settings().public_base_url.startswith("https://")


def client_of(request: Request[Any, Any, Any]) -> Caller:
    client = request.scope.get("client")
    return anonymous(client[0] if client else "", request.scope.get("state", {}).get("request_id", ""))


def lang_of(request: Request[Any, Any, Any]) -> str:
    return pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


async def provide_session(request: Request[Any, Any, Any]) -> WebSession:
    """The signed-in user behind the session cookie, or a redirect to the login page."""
    token = request.cookies.get(SESSION_COOKIE, "")
    anon = client_of(request)
    next_url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not token:
        raise LoginRequired(next_url)
    try:
        found = await auth_service.authenticate(token, client=anon.client, request_id=anon.request_id, kind="session")
    except Unauthorized as exc:
        raise LoginRequired(next_url) from exc
    return WebSession(caller=found.caller, csrf_token=found.csrf_token, lang=lang_of(request))


async def read_form(request: Request[Any, Any, Any], session: WebSession) -> dict[str, str]:
    """The posted form as plain strings, after checking its CSRF token against the session's."""
    form = await request.form()
    values = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    sent = values.pop("csrf_token", "")
    if not sent or not secrets.compare_digest(sent, session.csrf_token):
        raise Forbidden("missing or wrong CSRF token", code="csrf_failed")
    return values


def safe_next(value: str | None) -> str:
    """Only local page paths: never an open redirect."""
    if value and value.startswith("/web") and "//" not in value and "\\" not in value:
        return value
    return "/web/"


def login_redirect(next_url: str) -> Redirect:
    target = "/web/login"
    if next_url and next_url not in ("/web", "/web/"):
        target += "?next=" + quote(safe_next(next_url), safe="/")
    return Redirect(target, status_code=303)


def nav_for(caller: Caller | None) -> list[tuple[str, str]]:
    """(url, catalogue key) of the main navigation for the caller's role."""
    if caller is None or caller.role is None:
        return []
    if caller.role == Role.PRISON_STAFF:
        return [
            ("/web/", "nav_shared_plans"),
            (f"/web/prisons/{caller.prison_id}/day", "nav_day_list"),
            ("/web/calendars", "nav_calendars"),
        ]
    items = [
        ("/web/", "nav_start"),
        ("/web/participants", "nav_participants"),
        ("/web/planner", "nav_planner"),
        ("/web/calendars", "nav_calendars"),
    ]
    if caller.role == Role.COORDINATOR:
        items += [
            ("/web/admin/users", "nav_users"),
            ("/web/admin/prisons", "nav_prisons"),
            ("/web/admin/audit", "nav_audit"),
        ]
    return items


def render(
    request: Request[Any, Any, Any],
    template: str,
    *,
    session: WebSession | None = None,
    status_code: int = 200,
    cookies: list[Cookie] | None = None,
    **context: Any,
) -> Template:
    """A page in the caller's language; remembers a language picked with ``?lang=``."""
    lang = session.lang if session else lang_of(request)
    t = Translator(lang)
    cookies = list(cookies or [])
    asked = request.query_params.get("lang")
    if asked in ("de", "en"):
        cookies.append(
            Cookie(
                key=LANG_COOKIE,
                value=asked,
                max_age=LANG_COOKIE_MAX_AGE,
                path="/",
                samesite="lax",
                secure=secure_cookies(),
                httponly=True,
            )
        )
    other = "en" if lang == "de" else "de"
    path = request.url.path
    return Template(
        template_name=template,
        context={
            "t": t,
            "lang": lang,
            "other_lang": other,
            "switch_lang_url": f"{path}?lang={other}",
            "session": session,
            "caller": session.caller if session else None,
            "csrf_token": session.csrf_token if session else "",
            "nav": nav_for(session.caller if session else None),
            "current_path": path,
            "ok": None,
            "berlin": BERLIN,
            "error": None,
            **context,
        },
        status_code=status_code,
        cookies=cookies,
    )


def error_page(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """Domain errors outside a form (404, 403, …) as a page, with the same status as the API would give."""
    status = exc.status if exc.status in (400, 403, 404, 409, 412, 422, 429) else 400
    key = {404: "not_found", 403: "forbidden"}.get(status, "error")
    if isinstance(exc, Forbidden) and exc.code == "csrf_failed":
        key = "csrf"
    return render(request, "error.html", status_code=status, kind=key, detail=exc.detail)  # type: ignore[return-value]


def error_message(t: Translator, exc: DomainError) -> str:
    """A domain error in the user's words: the catalogue knows the stable codes; otherwise the detail."""
    if t.has(f"rule_{exc.code}"):
        return t(f"rule_{exc.code}", **{k: v for k, v in exc.extra.items() if isinstance(v, str | int)})
    if exc.code == "stale_version":
        return t("stale_version")
    if exc.code == "csrf_failed":
        return t("csrf_failed")
    if exc.field:
        return t("error_field", field=t.field(exc.field), detail=exc.detail)
    return exc.detail or t("error_generic")
