"""Who may see what: guards shared by every capability's routes."""

from flask import abort
from flask.typing import ResponseReturnValue
from flask_login import current_user

from consult.extensions import login_manager


def require_consultant() -> ResponseReturnValue | None:
    """Send a visitor to sign in; refuse a signed-in client with 403. Use as `before_request`."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_consultant:
        abort(403)
    return None
