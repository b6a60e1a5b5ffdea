"""Theory library: tuning documents uploaded once, their text searched by every racer.

Routes in ``views.py`` (search and list, read, upload, delete); templates in
``templates/theory/``. The advisor quotes the library through ``passages_for`` and
renders the result with the ``passage_list`` macro of ``theory/_passages.html``:

    {% from "theory/_passages.html" import passage_list %}{{ passage_list(passages) }}

Documents belong to a *user* (``users.id``, ``current_user.id``), not a racer
profile: the uploader or an admin may delete one; for anyone else it is a 404,
as the rest of the app answers "not yours".
"""

from __future__ import annotations

from apex.blueprints.theory import views  # noqa: F401  (their routes join bp)
from apex.blueprints.theory.blueprint import bp

__all__ = ["bp"]
