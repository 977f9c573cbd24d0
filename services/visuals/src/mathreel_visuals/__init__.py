"""Mathreel visuals service."""
