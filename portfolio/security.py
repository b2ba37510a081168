"""Security headers on every response. The policy allows no inline script or style, so every
script and stylesheet comes from our own static files."""

from flask import Flask, Response, session

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response: Response) -> Response:
    """Set CSP and the companion headers unless a view chose its own. A signed-in user's pages
    are not kept by the browser (no-store): training rooms share PCs, and Back or Forward after
    sign-out must not show the last learner's work."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    if response.mimetype == "text/html" and "_user_id" in session:
        response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
