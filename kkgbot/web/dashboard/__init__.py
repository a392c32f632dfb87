"""The web dashboard's routes (issue 20), added to the one ASGI app by `routes()`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route


def routes() -> list[Route]:
    from kkgbot.web.dashboard import setup as s
    from kkgbot.web.dashboard import views as r

    return [
        Route("/dasbor/static/dashboard.css", r.css, methods=["GET"]),
        Route("/dasbor/masuk/{token}", r.signin_page, methods=["GET"]),
        Route("/dasbor/masuk", r.signin_post, methods=["POST"]),
        Route("/dasbor/keluar", r.signout_route, methods=["POST"]),
        Route("/dasbor", r.overview_route, methods=["GET"]),
        Route("/dasbor/rekap.xlsx", r.rekap_route, methods=["GET"]),
        Route("/dasbor/kkg/{kkg_id}", r.kkg_route, methods=["GET"]),
        Route("/dasbor/kkg/{kkg_id}/rekap.xlsx", r.rekap_route, methods=["GET"]),
        Route(
            "/dasbor/kkg/{kkg_id}/rapat/{meeting_id}/{kind:str}.pdf", r.spj_route, methods=["GET"]
        ),
        Route("/dasbor/atur", s.setup_route, methods=["GET"]),
        Route("/dasbor/atur/kkg", s.create_kkg_route, methods=["POST"]),
        Route("/dasbor/atur/kode", s.new_code_route, methods=["POST"]),
        Route("/dasbor/atur/impor", s.import_route, methods=["POST"]),
        Route("/dasbor/atur/impor-kkg", s.import_kkgs_route, methods=["POST"]),
        Route("/dasbor/atur/peran", s.role_route, methods=["POST"]),
    ]


async def http_error(request: Request, exc: Exception) -> Response:
    """A page in Indonesian (the default) for the dashboard's paths; plain text elsewhere."""
    status = getattr(exc, "status_code", 500)
    if not request.url.path.startswith("/dasbor"):
        headers = getattr(exc, "headers", None)
        if status in (204, 304):
            return Response(status_code=status, headers=headers)
        return PlainTextResponse(getattr(exc, "detail", "error"), status, headers=headers)
    from kkgbot.web.dashboard.pages import error_page

    key = {404: "not_found", 405: "not_found"}.get(status, "failed")
    return error_page(request, request.app.state.web.settings.language or "id", key, status)
