"""Errors of the generation pipeline: the application error with the codes and statuses the
surfaces document (Dessert: 400/404/425/502 with the same codes)."""

from __future__ import annotations

from studio.exceptions import AppError


class GenerationError(AppError):
    code = "generation_error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, **kwargs):
        super().__init__(message, field=field, **kwargs)


class InvalidRequest(GenerationError):
    """The brief breaks a rule; ``code`` names which (``invalid_count``, ``invalid_format`` …)."""

    def __init__(self, code: str, message: str, *, field: str | None = None, **kwargs):
        super().__init__(message, field=field, code=code, **kwargs)


class NoBrandSelected(GenerationError):
    code = "no_brand_selected"


class BrandNotFound(GenerationError):
    code = "brand_not_found"
    status = 404


class ProductNotFound(GenerationError):
    code = "product_not_found"
    status = 404


class BrandNotReady(GenerationError):
    code = "brand_onboarding_in_progress"
    status = 425
    retryable = True


class OrchestrationFailed(GenerationError):
    """The task queue could not take the job; nothing was charged and no job was kept."""

    code = "orchestration_failed"
    status = 502
    retryable = True


class JobNotCancellable(GenerationError):
    code = "job_not_cancellable"
    status = 409


class StorageUnavailable(GenerationError):
    """The media storage (a bucket, or the local media folder) did not answer."""

    code = "storage_unavailable"
    status = 503
    retryable = True
