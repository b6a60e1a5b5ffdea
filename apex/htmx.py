"""The one place that decides "fragment or page", and HTMX response helpers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, redirect, render_template, request, url_for
from jinja2_fragments.flask import render_block
from werkzeug.wrappers import Response as BaseResponse


def wants_fragment() -> bool:
    """An HTMX swap, not a boosted navigation or a history restore (those get pages)."""
    h = request.headers
    return (
        h.get("HX-Request") == "true"
        and h.get("HX-Boosted") != "true"
        and h.get("HX-History-Restore-Request") != "true"
    )


def render(
    template: str, blocks: Mapping[str, str], status: int = 200, **context: Any
) -> tuple[str, int]:
    """Render the whole page, or only the block whose DOM id the request targets.

    ``blocks`` maps allowed ``HX-Target`` ids to block names; an unknown target
    gets the full page, so the client can never name an arbitrary block.
    """
    if wants_fragment():
        block = blocks.get(request.headers.get("HX-Target", ""))
        if block:
            return render_block(template, block, **context), status
    return render_template(template, **context), status


def see_other(endpoint: str, **values: Any) -> BaseResponse:
    """After a successful POST: 303 (a boosted form's XHR follows it to the new page);
    a targeted HTMX request gets HX-Location instead, so no page lands in a target."""
    url = url_for(endpoint, **values)
    if wants_fragment():
        return client_redirect(url, boosted=True)
    return redirect(url, code=303)


def client_redirect(url: str, *, boosted: bool = False) -> Response:
    """Never a 302 to HTMX: XHR would follow it and swap a whole page into a target."""
    response = Response(status=200)
    if boosted:
        response.headers["HX-Location"] = url
    else:
        response.headers["HX-Redirect"] = url
    return response


def add_vary(response: Response) -> Response:
    """Pages and fragments share URLs: caches must key on the HTMX headers."""
    if not request.path.startswith("/static/"):
        response.vary.add("HX-Request")
        response.vary.add("HX-Target")
    return response
