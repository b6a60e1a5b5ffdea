"""What a login cookie names, and how a revocation changes it (pure: no Flask, no I/O).

A session or remember cookie names the user *and* the user's session generation
(``users.session_generation``). Logout, "log out everywhere" and a password reset move the
generation on (``next_generation``, called by both stores), so every cookie issued before
names an old generation and logs nobody in: signed cookies cannot be recalled from the
browsers (or thieves) holding them, but they can be made worthless.
"""

from __future__ import annotations

_SEP = ":"


def next_generation(current: int | None) -> int:
    """The generation after a revocation (an old row without one counts as 0)."""
    return (current or 0) + 1


def imported_generation(stored: int | None, incoming: int | None, *,
                        password_changed: bool) -> int:
    """A user row an import updates: its generation never goes back (an old backup must
    not bring revoked cookies back to life), and a new password revokes like a reset."""
    generation = max(stored or 0, incoming or 0)
    return next_generation(generation) if password_changed else generation


def login_id(user_id: str, generation: int) -> str:
    """The id flask-login keeps in the session and the remember cookie."""
    return f"{user_id}{_SEP}{generation}"


def parse_login_id(text: str) -> tuple[str, int] | None:
    """(user id, generation), or None for anything else (a cookie from before this
    scheme named the bare user id: it no longer logs in, the racer logs in once more)."""
    user_id, sep, generation = text.rpartition(_SEP)
    if not sep or not user_id or not generation.isdigit():
        return None
    return user_id, int(generation)
