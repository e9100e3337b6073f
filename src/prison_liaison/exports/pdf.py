"""Printable documents: Jinja templates (autoescaped) to HTML, HTML to tagged PDF (PDF/UA-1) with WeasyPrint.

WeasyPrint is slow and synchronous, so PDFs render in a bounded thread pool, never on the event loop. Each
worker thread keeps its own FontConfiguration and parsed stylesheets (parsed once, reused for every render).
The URL fetcher only serves ``file:`` URLs inside the templates folder and ``data:`` URLs: a note that
smuggles in an outside URL can never make the server fetch it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import mimetypes
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import jinja2

from prison_liaison.exports import labels
from prison_liaison.planning.documents import DayList, PlanDocument
from prison_liaison.planning.errors import TooManyRequests

log = logging.getLogger(__name__)

PLAN_TEMPLATE = "plan.html"
DAY_LIST_TEMPLATE = "day_list.html"
PRINT_CSS = "print.css"
FONTS_CSS = "fonts.css"
PDF_VARIANT = "pdf/ua-1"


class FetchRefused(ValueError):
    """A document asked for a resource outside what the fetcher serves."""


@lru_cache(maxsize=1)
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class RestrictedURLFetcher(URLFetcher):  # type: ignore[misc]
        """``file:`` inside one folder and ``data:`` only; no network, hence no redirects either."""

        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
            self.root = root.resolve()

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlparse(url).path)).resolve()
                if path.is_file() and path.is_relative_to(self.root):
                    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
            log.warning("document resource refused: scheme=%s", scheme or "none")
            raise FetchRefused(f"resource not allowed in documents: {url[:80]}")

    return RestrictedURLFetcher


def make_fetcher(root: Path) -> Any:
    """A WeasyPrint URL fetcher restricted to ``root`` (a file: URL outside it, http(s) etc. are refused)."""
    return _fetcher_class()(root)


def _page_css(language: str) -> str:
    """The running header/footer words of one language; the rest of the print CSS is shared."""
    t = labels.LABELS[language]
    return (
        f'@page {{ @bottom-right {{ content: "{t["page"]} " counter(page) " {t["of"]} " counter(pages); }} }}'
    )


class _ThreadResources:
    def __init__(self, root: Path, language: str, print_css: str, fonts_css: str) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.fetcher = make_fetcher(root.parent)
        self.font_config = FontConfiguration()
        base_url = root.as_uri() + "/"
        self.stylesheets = [
            CSS(string=fonts_css, base_url=base_url, url_fetcher=self.fetcher, font_config=self.font_config),
            CSS(string=print_css, base_url=base_url, url_fetcher=self.fetcher, font_config=self.font_config),
            CSS(
                string=_page_css(language),
                base_url=base_url,
                url_fetcher=self.fetcher,
                font_config=self.font_config,
            ),
        ]


class DocumentRenderer:
    """Templates to HTML and HTML to PDF, with at most ``threads`` renders at once."""

    def __init__(self, documents_dir: Path, threads: int, *, max_waiting: int | None = None) -> None:
        self.root = documents_dir.resolve()
        self.threads = max(1, threads)
        self.max_waiting = max_waiting if max_waiting is not None else self.threads * 8
        self._pending = 0
        self._executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="pdf")
        self._local = threading.local()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.root),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["d"] = lambda value, lang, weekday=False: labels.format_date(
            value, lang, weekday=weekday
        )
        self.env.filters["dt"] = labels.format_datetime
        self.env.filters["tm"] = labels.format_time
        self.env.globals["label"] = labels.label
        self.env.globals["change_text"] = labels.change_text
        self.print_css = (self.root / PRINT_CSS).read_text(encoding="utf-8")
        self.fonts_css = (self.root / FONTS_CSS).read_text(encoding="utf-8")
        # The HTML variant carries the print CSS inline; its hash goes into that answer's CSP.
        self.inline_style_hash = "sha256-" + _b64(hashlib.sha256(self.print_css.encode()).digest())
        self.template_version = self._fingerprint_templates()

    def _fingerprint_templates(self) -> str:
        digest = hashlib.sha256()
        for path in sorted(self.root.glob("*")):
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    # --- HTML -------------------------------------------------------------------------------------------

    def plan_html(self, doc: PlanDocument, *, inline_css: bool = False) -> str:
        return self._html(PLAN_TEMPLATE, doc=doc, lang=doc.language, inline_css=inline_css)

    def day_list_html(self, day_list: DayList, *, inline_css: bool = False) -> str:
        return self._html(DAY_LIST_TEMPLATE, doc=day_list, lang=day_list.language, inline_css=inline_css)

    def _html(self, name: str, *, lang: str, inline_css: bool, **context: Any) -> str:
        template = self.env.get_template(name)
        return template.render(
            t=labels.LABELS[lang], lang=lang, css=self.print_css if inline_css else None, **context
        )

    # --- PDF --------------------------------------------------------------------------------------------

    def _resources(self, language: str) -> _ThreadResources:
        cache: dict[str, _ThreadResources] | None = getattr(self._local, "resources", None)
        if cache is None:
            cache = self._local.resources = {}
        if language not in cache:
            cache[language] = _ThreadResources(self.root, language, self.print_css, self.fonts_css)
        return cache[language]

    def write_pdf(self, html: str, language: str) -> bytes:
        """Synchronous: call from a worker thread (``render_pdf`` does)."""
        from weasyprint import HTML

        res = self._resources(language)
        document = HTML(string=html, base_url=self.root.as_uri() + "/", url_fetcher=res.fetcher)
        pdf: bytes = document.write_pdf(
            stylesheets=res.stylesheets,
            font_config=res.font_config,
            pdf_variant=PDF_VARIANT,
            uncompressed_pdf=False,
        )
        return pdf

    async def render_pdf(self, html: str, language: str) -> bytes:
        """Render in the bounded pool; refuse (429) rather than queue without limit."""
        if self._pending >= self.max_waiting:
            raise TooManyRequests("too many documents are being rendered; try again shortly", retry_after=2)
        self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, self.write_pdf, html, language)
        finally:
            self._pending -= 1


def _b64(raw: bytes) -> str:
    import base64

    return base64.b64encode(raw).decode()


@lru_cache(maxsize=4)
def get_renderer(documents_dir: Path, threads: int) -> DocumentRenderer:
    return DocumentRenderer(documents_dir, threads)

