"""gunicorn's settings for consult, read from the checkout (gunicorn loads ./gunicorn.conf.py).

The `Server` header names no software: gunicorn offers no setting for it, and writes
`gunicorn.http.wsgi.SERVER` into every answer, so that is what is replaced, in the master
before the workers are forked.
"""

import gunicorn.http.wsgi

gunicorn.http.wsgi.SERVER = "consult"
