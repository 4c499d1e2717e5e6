"""Flask extensions, created unbound here and bound to the app in create_app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"

csrf = CSRFProtect()

limiter = Limiter(key_func=get_remote_address)
