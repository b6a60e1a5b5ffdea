"""The one place that decides "fragment or page", and HTMX response helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from jinja2_fragments.flask import render_block, render_blocks
from werkzeug.wrappers import Response as BaseResponse


def is_htmx() -> bool:
    """Sent by htmx at all: a swap, a boosted navigation or a history restore."""
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """An HTMX swap, not a boosted navigation or a history restore (those get pages)."""
    h = request.headers
    return (
        is_htmx()
        and h.get("HX-Boosted") != "true"
        and h.get("HX-History-Restore-Request") != "true"
    )


def target_block(blocks: Mapping[str, str]) -> str | None:
    """The block ``render`` will send alone (by ``HX-Target``), or None for the whole page.

    Views ask it to compute only that block's context on a fragment request.
    """
    if not wants_fragment():
        return None
    return blocks.get(request.headers.get("HX-Target", ""))


def render(
    template: str,
    blocks: Mapping[str, str],
    status: int = 200,
    *,
    oob: Sequence[str] = (),
    **context: Any,
) -> tuple[str, int]:
    """Render the whole page, or only the block whose DOM id the request targets.

    ``blocks`` maps allowed ``HX-Target`` ids to block names; an unknown target
    gets the full page, so the client can never name an arbitrary block. With a
    fragment, the ``oob`` blocks follow, rendered with ``oob=True`` so that their
    root element carries ``hx-swap-oob``.
    """
    block = target_block(blocks)
    if block is None:
        return render_template(template, **context), status
    body = render_block(template, block, **context)
    if oob:
        body += render_blocks(template, list(oob), **{**context, "oob": True})
    return body, status


def after_write(
    fragment: Callable[[], ResponseReturnValue],
    message: str,
    endpoint: str,
    *,
    category: str = "message",
    **values: Any,
) -> ResponseReturnValue:
    """After a successful write: the updated fragment (``fragment()``, with its
    out-of-band blocks) for an HTMX swap; otherwise flash ``message`` and 303 to
    ``endpoint`` (a boosted form's XHR follows it to the page)."""
    if wants_fragment():
        return fragment()
    flash(message, category)
    return see_other(endpoint, **values)


def see_other(endpoint: str, **values: Any) -> BaseResponse:
    """After a successful POST: 303 (a boosted form's XHR follows it to the new page);
    a targeted HTMX request gets HX-Location instead, so no page lands in a target."""
    url = url_for(endpoint, **values)
    if wants_fragment():
        return client_redirect(url, boosted=True)
    return redirect(url, code=303)


def redirect_to(url: str, code: int = 302, *, boosted: bool = False) -> BaseResponse:
    """A redirect for a plain request; for any HTMX request (a boosted one too) the
    client-side one, never a 302 (``HX-Location`` when ``boosted``, else ``HX-Redirect``)."""
    if is_htmx():
        return client_redirect(url, boosted=boosted)
    return redirect(url, code=code)


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
