"""The error a scene raises when it cannot be turned into a clip, with a machine-readable code for the worker."""

from __future__ import annotations

from mathreel_shared.errors import StageError


class SceneError(StageError):
    """A scene could not be turned into a clip (or checked by the preflight).

    ``code`` is stable and machine-readable (``latex_rejected``, ``latex_failed``, ``layout_unfixable``,
    ``invalid_expression``, ``timing_mismatch``, ``invalid_scene``, ``render_failed``, ``render_timeout``,
    ``preflight_failed``, ``cancelled``); ``retryable`` tells the worker whether trying the same input again could
    succeed. A ``StageError``, so the stage wrapper catches it by type.
    """
