"""A second worker process: `python -m tests.fakes.limit_worker EMAIL TIMES` fails to sign in
TIMES times and prints the status codes as JSON.

It builds its own app from DATABASE_URL, RATELIMIT_STORAGE_URI and LIMIT_KEY_PREFIX in the
environment, as each gunicorn worker builds its own: only a store they share can make one
worker's attempts count in another.
"""

from __future__ import annotations

import json
import os
import sys

from consult import create_app
from consult.config import load_settings


def main(email: str, times: int) -> list[int]:
    settings = load_settings(
        {
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "CONSULT_INSTANCE_DIR": os.environ["CONSULT_INSTANCE_DIR"],
            "RATELIMIT_STORAGE_URI": os.environ["RATELIMIT_STORAGE_URI"],
        }
    )
    app = create_app(
        {
            "SETTINGS": settings,
            "TESTING": True,
            "PREPARE_DATABASE": False,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": os.environ["LIMIT_KEY_PREFIX"]},
        }
    )
    browser = app.test_client()
    form = {"email": email, "password": "not the password"}
    return [browser.post("/accounts/sign-in", data=form).status_code for _ in range(times)]


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
