"""Drawing code of the storyboard actions that demonstrate by moving: shapes in an axes' coordinates, a point swept
along a graph, a morphing graph, bar charts, intervals, dot arrays, a matrix acting on the plane, Venn diagrams and
trees. Plain functions that take the axes (or scene), the action and its colours and return mobjects and
animations; the scene builder's ``do_<op>`` methods only register what they return with the layout.

Imported only inside the render subprocess (Manim); the pure arithmetic is in :mod:`.geometry`.
"""
