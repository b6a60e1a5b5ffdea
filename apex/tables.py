"""Column lists of every table, shared by the SQL migrations and the CSV store.

The CSV store writes these as headers; a contract test checks that the
PostgreSQL schema built by ``sql/`` has exactly these columns.
"""

from __future__ import annotations

from apex.catalogue import PARAM_KEYS

_STAMPS = ("created_at", "updated_at")

TABLES: dict[str, tuple[str, ...]] = {
    "users": ("id", "username", "email", "password_hash", "is_admin", *_STAMPS),
    "racer_profiles": (
        "id", "user_id", "name", "email", "facebook", "instagram", "transponder",
        "experience_level", "driving_style", *_STAMPS,
    ),
    "sponsors": ("id", "profile_id", "name", "category", *_STAMPS),
    "vehicles": (
        "id", "profile_id", "brand", "model", "nickname", "transponder", "class_name", *_STAMPS,
    ),
    "car_configs": ("id", "profile_id", "vehicle_id", "car", *PARAM_KEYS, *_STAMPS),
    "master_library": (
        "id", "track", "brand", "vehicle", "condition", "date", "source", "driver_name",
        "submitted_by", "notes", *PARAM_KEYS, *_STAMPS,
    ),
    "track_logs": (
        "id", "profile_id", "timestamp", "track", "car", "event", "note", "kind", "keywords",
        "created_at",
    ),
    "theory_documents": (
        "id", "filename", "title", "category", "content", "file_path", "uploaded_by", "created_at",
    ),
    "request_keys": ("key", "user_id", "created_at"),
}
