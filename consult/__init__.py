"""consult: the blog, consultation booking and client portal of a healthcare-leadership practice."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config_overrides: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app (imported lazily, so pure modules such as scoring never load Flask)."""
    from consult.app import create_app as build

    return build(config_overrides)
