"""Exemplar storyboards behind ``use_context_learning``: worked examples chosen by similarity to the topic."""
