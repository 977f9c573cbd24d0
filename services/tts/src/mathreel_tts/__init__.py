"""Mathreel tts service."""
