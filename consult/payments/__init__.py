"""Payments: the provider protocol, its Stripe implementation and the webhook that reports back."""
