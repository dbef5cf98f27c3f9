"""What every app's pages share: list pagination and htmx partials, 404s, chart template tags."""
