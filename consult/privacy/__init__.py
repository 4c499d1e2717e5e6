"""Personal data: a person's download of what the site holds about them, account deletion, and
erasing guests' data from bookings (by the consultant, or after the retention period).
"""
