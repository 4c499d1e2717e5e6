"""Engagements: programmes (prepaid packages) an organisation buys or is granted, and their
credits.
"""
