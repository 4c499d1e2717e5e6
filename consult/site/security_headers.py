"""The security headers every response carries: the content security policy, and the rest."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

from consult.site.identity import SiteIdentity


def content_security_policy(site: SiteIdentity) -> str:
    """The policy of every response; images may also come from the portrait's https origin
    (site.yaml may name one), the only image content can place on another host.
    """
    image_sources = ["'self'", "data:"]
    if site.portrait is not None and site.portrait.src.startswith("https://"):
        portrait = urlsplit(site.portrait.src)
        image_sources.append(f"https://{portrait.netloc}")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {' '.join(image_sources)}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


def init_app(app: Flask) -> None:
    """Add the security headers to every response that does not set its own."""
    policy = content_security_policy(app.extensions["consult.site"])

    every_response = (
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    )
    https_only = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        wanted = (*every_response, https_only) if request.is_secure else every_response
        headers.extend((name, value) for name, value in wanted if name.lower() not in present)
        return response
