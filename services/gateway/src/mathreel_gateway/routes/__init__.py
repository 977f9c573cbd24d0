"""The gateway's routes, one router per part of the API, each carrying its full path prefix."""

API_PREFIX = "/api/v1"
