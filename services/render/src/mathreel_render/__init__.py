"""Mathreel render service."""
