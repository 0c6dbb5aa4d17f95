"""Mounting the dashboard on the API's app: its pages, its static files and its error pages."""

from __future__ import annotations

from importlib.resources import files

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from flowdoctor.web import alerts, login, overview, rules, sessions, workflow
from flowdoctor.web.common import same_origin_posts
from flowdoctor.web.render import page

STATIC_PATH = "/static"


def install_dashboard(app: FastAPI) -> None:
    """Add the dashboard's pages and assets to ``app`` (which holds the runtime in
    ``app.state.runtime``), and its HTML error pages for browsers."""
    static = files("flowdoctor.web").joinpath("static")
    app.mount(STATIC_PATH, StaticFiles(directory=str(static)), name="static")
    for module in (overview, workflow, alerts, sessions, rules, login):
        app.include_router(module.router, dependencies=[Depends(same_origin_posts)])
    app.state.html_error_page = error_page


def error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    """What a browser sees when a page fails: the status, and what went wrong in words."""
    return page(
        request, "error.html", status_code=status, status=status, title=title, detail=detail
    )
