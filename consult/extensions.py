"""Flask extensions, created unbound here and bound to the app in create_app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
# Flask-Login's session protection only marks a session "not fresh" when the visitor's address
# or browser changes, for views that demand a fresh sign-in: none does here. The limits a
# sign-in keeps are consult.accounts.idle's; without it, no request hashes those details.
login_manager.session_protection = None

csrf = CSRFProtect()

limiter = Limiter(key_func=get_remote_address)
