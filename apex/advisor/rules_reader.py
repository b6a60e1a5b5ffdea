"""Reading one table of the rules file field by field, with errors that say where.

Why not plain dict access: a racer-engineer editing ``rules.toml`` by hand will
mistype a field name ("chnage") or a parameter key ("SBF"). Every field read is
ticked off, so ``done()`` can refuse the fields nobody read, and every error
names the table ("symptoms.push_entry #2.feel: ...").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apex.catalogue import BY_KEY


class RulesError(ValueError):
    """The rules file is wrong; the message says where and how."""


class Table:
    """A TOML table read field by field, so unknown (mistyped) fields are caught."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise RulesError(f"{where}: expected a table")
        self.data, self.where = data, where
        self.read: set[str] = set()

    def _get(self, name: str, optional: bool = False) -> Any:
        if name not in self.data:
            if optional:
                return None
            raise RulesError(f"{self.where}: missing {name!r}")
        self.read.add(name)
        return self.data[name]

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            raise RulesError(f"{self.where}: unknown field(s) {', '.join(unknown)}")

    def table(self, name: str) -> dict[str, Any]:
        value = self._get(name)
        if not isinstance(value, dict):
            raise RulesError(f"{self.where}.{name}: expected a table")
        return value

    def tables(self, name: str) -> list[Any]:
        value = self._get(name, optional=True) or []
        if not isinstance(value, list):
            raise RulesError(f"{self.where}.{name}: write it as [[{name}]]")
        return value

    def text(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str) or not value.strip():
            raise RulesError(f"{self.where}.{name}: expected some text")
        return value.strip()

    def choice(self, name: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        value = self._get(name, optional=default is not None)
        value = default if value is None else value
        if not isinstance(value, str) or (value not in allowed and value != default):
            raise RulesError(f"{self.where}.{name}: one of {allowed}, not {value!r}")
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self._get(name, optional=True)
        value = default if value is None else value
        if not isinstance(value, bool):
            raise RulesError(f"{self.where}.{name}: true or false, not {value!r}")
        return value

    def strings(self, name: str) -> list[str]:
        value = self._get(name)
        if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
            raise RulesError(f"{self.where}.{name}: a list of texts, not {value!r}")
        return value

    def number(self, name: str) -> Decimal:
        value = self._get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RulesError(f"{self.where}.{name}: expected a number, not {value!r}")
        return Decimal(str(value))

    def integer(self, name: str) -> int:
        value = self._get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise RulesError(f"{self.where}.{name}: expected a whole number, not {value!r}")
        return value

    def words(self, name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        value = self._get(name)
        if not isinstance(value, list) or not value or any(w not in allowed for w in value):
            raise RulesError(f"{self.where}.{name}: a list of {allowed}, not {value!r}")
        return tuple(value)

    def params(self, name: str, numeric: bool | None, optional: bool = False) -> tuple[str, ...]:
        """Catalogue keys, as a list or as ``"SO_F/SO_R"``; ``numeric`` None: any kind."""
        value = self._get(name, optional=optional)
        if value is None:
            return ()
        keys = value.split("/") if isinstance(value, str) else value
        if not isinstance(keys, list) or not keys:
            raise RulesError(f"{self.where}.{name}: expected catalogue keys, not {value!r}")
        for key in keys:
            if key not in BY_KEY:
                raise RulesError(f"{self.where}.{name}: unknown parameter {key!r}")
            if numeric is not None and BY_KEY[key].is_numeric != numeric:
                what = "a number" if numeric else "text (a piston)"
                raise RulesError(f"{self.where}.{name}: {key!r} is not {what}")
        return tuple(keys)
