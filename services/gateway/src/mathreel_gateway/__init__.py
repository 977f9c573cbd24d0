"""Mathreel gateway service."""
