"""The login session cookie: when a response sets it again.

Flask signs and sends a permanent session again on every response, so its expiry (the
idle limit, ``APEX_SESSION_IDLE_MINUTES``) slides with use. That is a 400-byte
``Set-Cookie`` header on every page and fragment a phone receives over track Wi-Fi, and
a serialisation and HMAC the server does each time. Here an unchanged session is sent
again only once it was signed ``REFRESH_AFTER`` ago or more: the login still ends after
the idle time without a request, at most that much earlier.

Static files, the service worker and the manifest get no cookie at all: they are the
same for everyone, and a ``Vary: Cookie`` would make every cached asset be fetched again
after a login.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response
from itsdangerous import BadSignature, TimestampSigner

REFRESH_AFTER = timedelta(minutes=5)


class AgedSession(SecureCookieSession):
    """A session that knows whether its cookie is due to be signed again."""

    refresh_due = True  # a new session, or one whose age is unknown


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed-cookie session, refreshed at most every ``REFRESH_AFTER``."""

    session_class = AgedSession

    def __init__(self, cookieless: tuple[str, ...] = ()) -> None:
        self.cookieless = cookieless  # blueprints and endpoints that never get the cookie

    def open_session(self, app: Flask, request: Request) -> AgedSession | None:
        signer = self.get_signing_serializer(app)
        if signer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        lifetime = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed = signer.loads(cookie, max_age=lifetime, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        # The signer's own clock, as the expiry check above reads it.
        stamp = signer.make_signer(signer.salt)
        now = stamp.get_timestamp() if isinstance(stamp, TimestampSigner) else time.time()
        session.refresh_due = now - signed.timestamp() >= REFRESH_AFTER.total_seconds()
        return session

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        return bool(session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
                    and getattr(session, "refresh_due", True))

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.blueprint in self.cookieless or request.endpoint in self.cookieless:
            return
        super().save_session(app, session, response)
