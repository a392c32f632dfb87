"""Rendering the dashboard: Jinja2 templates, the person's language, security headers, CSRF.

Every page goes out with a Content-Security-Policy that allows no script at all and no
framing, `Referrer-Policy: no-referrer` (a sign-in link in a URL must not leak to another
site), and `Cache-Control: no-store` (a shared phone's back button must not show figures
after sign-out). Errors are pages in the person's language, never a traceback.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from kkgbot import i18n
from kkgbot.digest.indicators import level
from kkgbot.web.dashboard.svg import sparkline

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"
SESSION_COOKIE = "kkg_sesi"
FORM_COOKIE = "kkg_form"  # CSRF secret for the sign-in page, before there is a session

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _pct(value: Any) -> str:
    return "–" if value is None else f"{round(float(value) * 100)}%"


def _num(value: Any) -> str:
    if value is None:
        return "–"
    return str(round(value)) if isinstance(value, float) else str(value)


env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["pct"] = _pct
env.filters["num"] = _num
env.globals["sparkline"] = sparkline
env.globals["level"] = level


def local_time(when: datetime | None, zone: str, lang: str) -> str:
    if when is None:
        return "–"
    local = when.astimezone(ZoneInfo(zone))
    return local.strftime("%d-%m-%Y %H:%M")


env.filters["local"] = local_time


def translator(lang: str):
    def t(key: str, **params: Any) -> str:
        return i18n.t(lang, f"dashboard.{key}", **params)

    return t


def secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


def page(
    request: Request, template: str, lang: str, status: int = 200, **context: Any
) -> HTMLResponse:
    body = env.get_template(template).render(
        t=translator(lang), lang=lang, request=request, **context
    )
    return secure(HTMLResponse(body, status_code=status))  # type: ignore[return-value]


def error_page(request: Request, lang: str, key: str, status: int) -> HTMLResponse:
    return page(request, "dashboard/error.html", lang, status, key=key, viewer=None)


def cookie_secure(public_url: str | None) -> bool:
    return bool(public_url and public_url.lower().startswith("https://"))


def new_form_secret() -> str:
    return secrets.token_urlsafe(24)


def same(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(
        str(given).encode(), str(expected).encode()
    )
