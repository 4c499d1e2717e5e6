"""Nudges: the portal's reminders by e-mail, each sent once, each person able to stop them."""
