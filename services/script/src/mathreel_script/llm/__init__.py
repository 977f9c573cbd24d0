"""Storyboards written by a chat model: providers, prompts, validation and the repair loop."""
