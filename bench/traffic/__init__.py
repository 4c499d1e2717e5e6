"""The bounded load test: readers, bookers (free and paid, through a fake Stripe with webhooks) and
portal members at once against gunicorn on PostgreSQL with Redis limits, then the checks that no
request failed, no time was booked twice, the caps held, and each confirmation was mailed once.

Run: python -m bench.traffic [--seconds 60] [--workers 4] [--redis-db 13]
"""
