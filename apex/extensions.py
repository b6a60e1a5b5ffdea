"""Flask extensions, created here and bound to the app in ``create_app``."""

from flask import Response, current_app
from flask_compress import Compress as _Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect


class Compress(_Compress):
    """Compress error responses too: a 422 form is what a racer waits for on slow Wi-Fi.

    Flask-Compress only compresses 2xx; we let it treat 4xx/5xx bodies the same way.
    """

    def after_request(self, response: Response | None) -> Response:
        if response is None or not 400 <= response.status_code < 600:
            return super().after_request(response)
        status = response.status_code
        response.status_code = 200
        try:
            return super().after_request(response)
        finally:
            response.status_code = status


compress = Compress()
csrf = CSRFProtect()
login_manager = LoginManager()
# Only the routes that ask for a limit (login, signup) are limited.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def racer_key() -> str:
    """Count a logged-in racer's requests as theirs, wherever they come from (a phone
    moves between track Wi-Fi and mobile data); anyone else by address."""
    if current_user.is_authenticated:
        return f"racer:{current_user.get_id()}"
    return get_remote_address()


def _upload_limit() -> str:
    return current_app.config["APEX_UPLOAD_LIMIT"]


def _upload_message() -> str:
    limit = _upload_limit().replace(";", ", ")
    return f"Too many uploads (at most {limit}): wait a while and try again. Nothing was saved."


# Reading an upload costs CPU (a PDF up to APEX_PDF_CPU_SECONDS): one shared budget per
# racer across every upload route.
upload_limit = limiter.shared_limit(_upload_limit, scope="upload", key_func=racer_key,
                                    methods=["POST"], error_message=_upload_message)
