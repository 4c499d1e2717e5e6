"""The app as a WSGI server serves it: `gunicorn --preload 'consult.wsgi:app'`.

With --preload, gunicorn's master builds the app and reads the blog once, before it listens and
forks its workers, so no worker renders posts and no request (a health check included) waits
behind a worker that does.
"""

from consult import create_app
from consult.blog.warming import warm_blog

app = create_app()
warm_blog(app)
