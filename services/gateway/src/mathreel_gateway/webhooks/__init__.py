"""The webhook API in one package, one role a module.

- ``routes``: the ``/api/v1/webhooks`` HTTP routes.
- ``service``: the rules: the per-user bound, the URL check, rotation with a grace period, redelivery.
- ``schemas``: the request and response bodies.
"""
