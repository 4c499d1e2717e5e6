"""consult: the blog, consultation booking and client portal of a healthcare-leadership practice."""


def create_app(config_overrides: dict | None = None):
    """Build the Flask app (imported lazily, so pure modules such as scoring never load Flask)."""
    from consult.app import create_app as build

    return build(config_overrides)
