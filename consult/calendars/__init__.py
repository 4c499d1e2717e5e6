"""The consultant's other calendars: busy times from external feeds, a private feed of bookings."""
