"""The ceiling the site is measured against: the smallest Flask app, under the same gunicorn.

It answers `/` with a short, fixed HTML page; a page of the site cannot be faster than this.
Served by `bench.site` as `gunicorn bench.minimal:app`.
"""

from flask import Flask

app = Flask(__name__)

PAGE = "<!doctype html><html lang=en><title>Minimal</title><p>Hello from the minimal app.</p>"


@app.get("/")
def hello() -> str:
    return PAGE
