"""Mathreel script service."""
