"""Mathreel's scene language: what a storyboard may say and how each of its actions is built.

``storyboard`` (the models and their validation), ``registry`` (one entry per action), ``latex`` (the one LaTeX
allowlist), ``expressions`` (the plot action's functions of x), ``layout`` and ``figure`` (where objects go),
``mathspeech`` (formulas read aloud). ``mathreel_scenelang.render`` builds scenes with Manim and needs the
``render`` extra.
"""
