"""Consultation booking: types, availability, slots, holds, bookings and their payments."""
