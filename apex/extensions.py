"""Flask extensions, created here and bound to the app in ``create_app``."""

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

compress = Compress()
csrf = CSRFProtect()
login_manager = LoginManager()
# Only the routes that ask for a limit (login, signup) are limited.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
