"""One module per family of actions; each ``build_<op>(scene, action)`` returns a :class:`~..objects.Built`.

A builder makes the mobjects of its action off screen (positions come from the layout once it settles) and returns
them with their layout items and the animation that shows them; it does not register them itself:
``StoryboardScene.build_action`` does, for every action alike.
"""
