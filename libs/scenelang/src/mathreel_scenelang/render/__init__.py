"""The scene language on screen: Manim builds every action of a scene, beat by beat, laid out and checked.

Needs the ``render`` extra (``mathreel-scenelang[render]``: Manim, and through it cairo, Pango and TeX). ``scene``
plays one storyboard scene (``StoryboardScene``), ``builders`` holds one module per action family, ``preflight``
typesets and lays out a whole storyboard without drawing a frame.
"""
