"""create_app(settings=None) -> Litestar: wiring only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.response_cache import ResponseCacheConfig
from litestar.logging.config import LoggingConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from prison_liaison.api.deps import DEPENDENCIES
from prison_liaison.api.errors import EXCEPTION_HANDLERS, document_problem_responses
from prison_liaison.api.middleware import RequestContextMiddleware, auth_middleware_factory, security_headers
from prison_liaison.api.routes import ROUTE_HANDLERS
from prison_liaison.logging_setup import configure_logging
from prison_liaison.persistence import db
from prison_liaison.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    db.configure(settings.database_url)
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await db.open_engine()
        try:
            yield
        finally:
            await db.close_engine()

    from prison_liaison.web import WEB_ROUTE_HANDLERS, web_plugins

    app = Litestar(
        route_handlers=[*ROUTE_HANDLERS, *WEB_ROUTE_HANDLERS],
        dependencies=DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[RequestContextMiddleware, auth_middleware_factory()],
        lifespan=[lifespan],
        before_send=[security_headers],
        plugins=web_plugins(),
        openapi_config=OpenAPIConfig(
            title="prison-liaison",
            version="1.0.0",
            description="Prison visits, release dates and release-preparation plans for exit programmes.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"bearer": []}],
        ),
        response_cache_config=ResponseCacheConfig(default_expiration=None),
        logging_config=LoggingConfig(configure_root_logger=False, log_exceptions="never"),
        request_max_body_size=1_000_000,
        debug=False,
    )
    document_problem_responses([h for route in app.routes for h in getattr(route, "route_handlers", [])])
    return app
