"""The action models, one module per family; ``mathreel_scenelang.registry`` lists them."""
