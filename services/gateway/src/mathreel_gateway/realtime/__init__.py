"""Job events pushed to clients: SSE per job, one WebSocket per user, and the tickets that authenticate them.

- ``hub``: the in-process fan-out from the bus's job events to this replica's connections.
- ``tickets``: single-use, short-lived connection tickets (Redis in distributed mode, memory in standalone).
- ``routes``: ``POST /realtime/tickets``, ``GET /videos/jobs/{id}/events`` (SSE) and ``GET /ws`` (WebSocket).
"""
