"""Helpers behind the root ``conftest.py`` fixtures: real services for integration tests, and a JWKS over HTTP."""
