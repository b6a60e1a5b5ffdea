"""One-time request keys: the rule both stores use to tell a new write from a resend.

Why: a form carries a key made when it was rendered (or by the phone's outbox); a
write sent twice, or replayed after its answer was lost, brings the same key again.
A key is "used" while it is stored and younger than ``REQUEST_KEY_DAYS``: an outbox
may replay a write days after it was made (a phone offline over a race weekend), so
keys outlive a week; past that the stores forget them (PostgreSQL on the next claim,
CSV when the journal is compacted).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

REQUEST_KEY_DAYS = 8
# What a rendered form or crypto.randomUUID() sends: a UUID, with or without dashes.
KEY_PATTERN = re.compile(r"^[0-9a-f-]{32,36}$")


def key_is_new(stored_at: datetime | None, now: datetime) -> bool:
    """Whether a key stored at ``stored_at`` (None: never stored) still counts as new."""
    return stored_at is None or stored_at < now - timedelta(days=REQUEST_KEY_DAYS)

# A run id made on the phone that some run has already (another racer's, or a page's
# id sent with another key): never taken over.
RUN_ID_TAKEN = "This run's id is taken: reload the page and start the run again."
