"""Mathreel orchestrator service."""
