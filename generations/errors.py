"""Domain errors of the generation pipeline. Each carries a stable ``code``; every surface maps
the code to its own status and envelope (Dessert: 400/404/425/502 with the same codes)."""

from __future__ import annotations


class GenerationError(Exception):
    code = "generation_error"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidRequest(GenerationError):
    """The brief breaks a rule; ``code`` names which (``invalid_count``, ``invalid_format`` …)."""

    def __init__(self, code: str, message: str, *, field: str | None = None):
        super().__init__(message, field=field)
        self.code = code


class NoBrandSelected(GenerationError):
    code = "no_brand_selected"


class BrandNotFound(GenerationError):
    code = "brand_not_found"


class ProductNotFound(GenerationError):
    code = "product_not_found"


class BrandNotReady(GenerationError):
    code = "brand_onboarding_in_progress"


class OrchestrationFailed(GenerationError):
    """The task queue could not take the job; nothing was charged and no job was kept."""

    code = "orchestration_failed"


class JobNotCancellable(GenerationError):
    code = "job_not_cancellable"
