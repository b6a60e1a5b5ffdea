"""The theory blueprint and what its route modules share."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

from apex.db import get_store
from apex.models import TheoryDocument, TheoryPassage

bp = Blueprint("theory", __name__, url_prefix="/theory")


@bp.before_request
@login_required
def _require_login() -> None:
    """The library is shared, but only racers with an account read it."""


def passages_for(words: list[str], limit: int = 3) -> list[TheoryPassage]:
    """The best passages for the advisor's words (a symptom, parameter keys and names):
    documents matching ANY word, best first. Needs an app context."""
    text = " ".join(w for w in words if w)
    return get_store().search_theory(text, limit=limit) if text.strip() else []


def document_or_404(document_id: str) -> TheoryDocument:
    document = get_store().get_theory_document(document_id)
    if document is None:
        abort(404)
    return document


def is_admin() -> bool:
    user = getattr(current_user, "user", None)
    return bool(getattr(current_user, "is_admin", False) or getattr(user, "is_admin", False))


def may_delete(document: TheoryDocument) -> bool:
    """Whether the delete button is shown: to the uploader and to admins."""
    return is_admin() or (document.uploaded_by is not None
                          and document.uploaded_by == current_user.id)
