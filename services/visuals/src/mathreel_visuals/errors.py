"""The one exception the visuals library raises, with a machine-readable code for the worker."""

from __future__ import annotations

from mathreel_shared.errors import StageError


class VisualsError(StageError):
    """A scene could not be turned into a clip.

    ``code`` is stable and machine-readable (``latex_rejected``, ``latex_failed``, ``layout_unfixable``,
    ``invalid_expression``, ``timing_mismatch``, ``invalid_scene``, ``render_failed``, ``cancelled``);
    ``retryable`` tells the worker whether trying the same input again could succeed.
    """
