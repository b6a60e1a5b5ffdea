"""The Shop Master form, generated from the parameter catalogue."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import ValidationError, fields

from apex.catalogue import PARAMS, TEXT_MAX, Param, coerce, format_value, with_unit
from apex.schemas import FormSchema, VersionedFormSchema


class ParamField(fields.Field):
    """One catalogue parameter: type, range and step checked with a message naming the limit."""

    def __init__(self, param: Param, **kwargs: Any) -> None:
        super().__init__(load_default=None, allow_none=True, **kwargs)
        self.param = param

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        p = self.param
        if p.kind == "text":
            text = str(value).strip()
            if len(text) > TEXT_MAX:
                raise ValidationError(f"At most {TEXT_MAX} characters.")
            return text or None
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_number_hint(p)) from None
        if not number.is_finite():
            raise ValidationError(_number_hint(p))
        if p.min is None or p.max is None or p.step is None:  # every catalogue number has all 3
            raise TypeError(f"{p.key}: a numeric parameter needs a min, a max and a step")
        if number < p.min or number > p.max:
            raise ValidationError(
                f"Must be between {format_value(p, p.min)} and {with_unit(p, p.max)}."
            )
        if (number - p.min) % p.step != 0:
            below = p.min + ((number - p.min) // p.step) * p.step
            raise ValidationError(
                f"Must be in steps of {with_unit(p, p.step)}: "
                f"try {format_value(p, below)} or {format_value(p, below + p.step)}."
            )
        return coerce(p, number)


def _number_hint(p: Param) -> str:
    return "Enter a whole number." if p.kind == "int" else "Enter a number, e.g. 2.5."


SetupSchema = FormSchema.from_dict(
    {p.key: ParamField(p) for p in PARAMS}, name="SetupSchema"
)


class ShopMasterSchema(SetupSchema, VersionedFormSchema):  # type: ignore[valid-type,misc]
    """The Shop Master form: every parameter, and the version its page showed."""
