"""The API conventions every app's ``api.py`` builds on: key auth, actor scoping, scopes,
throttles, cursor pages and one error format."""
