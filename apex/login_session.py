"""What a login cookie names, and how a revocation changes it (pure: no Flask, no I/O).

A session or remember cookie names the user, the user's session generation
(``users.session_generation``) and when the login was made. Logout, "log out everywhere"
and a password reset move the generation on (``next_generation``, called by both stores),
so every cookie issued before names an old generation and logs nobody in: signed cookies
cannot be recalled from the browsers (or thieves) holding them, but they can be made
worthless. The login time lets the server end a login after the remember duration
itself, instead of trusting a browser to drop an expired cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_SEP = ":"


@dataclass(frozen=True)
class LoginRef:
    """What a cookie's id names."""

    user_id: str
    generation: int
    issued: datetime

    def expired(self, now: datetime, lifetime: timedelta) -> bool:
        return now - self.issued > lifetime


def next_generation(current: int | None) -> int:
    """The generation after a revocation (an old row without one counts as 0)."""
    return (current or 0) + 1


def imported_generation(stored: int | None, incoming: int | None, *,
                        password_changed: bool) -> int:
    """A user row an import updates: its generation never goes back (an old backup must
    not bring revoked cookies back to life), and a new password revokes like a reset."""
    generation = max(stored or 0, incoming or 0)
    return next_generation(generation) if password_changed else generation


def login_id(user_id: str, generation: int, issued: datetime) -> str:
    """The id flask-login keeps in the session and the remember cookie."""
    return f"{user_id}{_SEP}{generation}{_SEP}{int(issued.timestamp())}"


def parse_login_id(text: str) -> LoginRef | None:
    """What the id names, or None for anything else (a cookie from before this scheme
    named the bare user id: it no longer logs in, the racer logs in once more)."""
    parts = text.split(_SEP)
    if len(parts) != 3 or not parts[0] or not all(p.isdigit() for p in parts[1:]):
        return None
    issued = datetime.fromtimestamp(int(parts[2]), UTC)
    return LoginRef(parts[0], int(parts[1]), issued)
