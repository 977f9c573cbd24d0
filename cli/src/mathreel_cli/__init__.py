"""Mathreel command-line interface and standalone mode."""
