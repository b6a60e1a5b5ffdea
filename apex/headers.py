"""Security and cache headers on every response.

- CSP: scripts only from our own origin (htmx and app.js, fingerprinted files): no
  inline script, no inline handler, no eval. An uploaded document or a note that
  slipped past escaping could not run. Styles and images from our origin too (the
  icon is a ``data:`` URL); no plugins, no ``<base>``, forms post only here, never
  framed (the delete buttons must not be clickjacked).
- HSTS only when ``APEX_ENV`` is production: there the app is served over HTTPS
  (the session cookie is Secure); a developer's plain-http machine must not pin it.
- ``Cache-Control: no-store`` on every response to a logged-in racer that does not
  set its own: their garage, notes and setups must not stay in a shared or back-button
  cache. Static files set their own (a year, immutable) and carry no session.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_login import current_user

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["APEX_ENV"] == "production":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.blueprint != "assets" and "Cache-Control" not in response.headers \
            and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(security_headers)
