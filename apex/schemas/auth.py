"""Sign-up and log-in forms."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from apex.schemas import FormSchema

PASSWORD_MIN = 10
USERNAME = validate.Regexp(
    r"^[A-Za-z0-9_.-]+$", error="Use letters, digits, dots, dashes or underscores."
)


class SignupSchema(FormSchema):
    username = fields.String(
        required=True,
        validate=[validate.Length(3, 32, error="Use 3 to 32 characters."), USERNAME],
        error_messages={"required": "Choose a username."},
    )
    email = fields.Email(
        required=True, validate=validate.Length(max=254),
        error_messages={"required": "Enter your email.", "invalid": "Enter a valid email."},
    )
    password = fields.String(
        required=True,
        validate=validate.Length(
            PASSWORD_MIN, 128, error=f"Use at least {PASSWORD_MIN} characters."
        ),
        error_messages={"required": "Choose a password."},
    )
    password_confirm = fields.String(
        required=True, error_messages={"required": "Type the password again."}
    )

    @validates_schema
    def _passwords_match(self, data: dict, **_: object) -> None:
        if data.get("password") != data.get("password_confirm"):
            raise ValidationError("The passwords differ.", "password_confirm")


class LoginSchema(FormSchema):
    login = fields.String(
        required=True, validate=validate.Length(1, 254),
        error_messages={"required": "Enter your username or email."},
    )
    password = fields.String(
        required=True, validate=validate.Length(1, 128),
        error_messages={"required": "Enter your password."},
    )
    remember = fields.Boolean(load_default=False)
