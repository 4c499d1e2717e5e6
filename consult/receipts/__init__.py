"""Receipts of payments (a booking, a programme), as a page and a PDF."""
