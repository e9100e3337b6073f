"""Server-rendered pages for mentors, prison staff and coordinators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response, Router
from litestar.config.app import AppConfig
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.plugins import InitPluginProtocol
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from prison_liaison.planning.errors import DomainError
from prison_liaison.settings import TEMPLATES_DIR
from prison_liaison.web.admin import ADMIN_HANDLERS
from prison_liaison.web.auth import LoginRequired, error_page, login_redirect, provide_session
from prison_liaison.web.documents import DOCUMENT_HANDLERS
from prison_liaison.web.pages import PAGE_HANDLERS, root_redirect
from prison_liaison.web.plans import PLAN_HANDLERS
from prison_liaison.web.sharing import SHARING_HANDLERS
from prison_liaison.web.visits import VISIT_HANDLERS

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGES_DIR = TEMPLATES_DIR / "pages"


def _login_required(request: Request[Any, Any, Any], exc: LoginRequired) -> Response[Any]:
    return login_redirect(exc.next_url)


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return error_page(request, exc)


web_router = Router(
    path="/web",
    route_handlers=[
        *VISIT_HANDLERS,
        *PLAN_HANDLERS,
        *SHARING_HANDLERS,
        *DOCUMENT_HANDLERS,
        *ADMIN_HANDLERS,
        *PAGE_HANDLERS,
    ],
    dependencies={"session": Provide(provide_session)},
    exception_handlers={LoginRequired: _login_required, DomainError: _domain_error},
    include_in_schema=False,
)

static_router = create_static_files_router(
    path="/static",
    directories=[STATIC_DIR],
    cache_control=CacheControlHeader(max_age=3600, public=True),
    include_in_schema=False,
)

WEB_ROUTE_HANDLERS: list[Any] = [root_redirect, web_router, static_router]


def template_environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(PAGES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


class WebPlugin(InitPluginProtocol):
    """Registers the Jinja templates of the pages (absolute path, autoescaped)."""

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.template_config = TemplateConfig(
            instance=JinjaTemplateEngine.from_environment(template_environment())
        )
        return app_config


def web_plugins() -> list[Any]:
    return [WebPlugin()]
