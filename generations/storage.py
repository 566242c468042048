"""Calls to the media storage: an outage of the bucket (or of the media folder) becomes one
clear, retryable ``StorageUnavailable`` instead of a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from generations.errors import StorageUnavailable

logger = logging.getLogger(__name__)

try:  # boto3 is there whenever S3 storage is configured
    from botocore.exceptions import BotoCoreError, ClientError

    STORAGE_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)
except ImportError:  # pragma: no cover - local media only
    STORAGE_ERRORS = (OSError,)


@contextmanager
def storage_call(*, action: str) -> Iterator[None]:
    """Run storage calls; a failure of the storage raises StorageUnavailable naming ``action``."""
    try:
        yield
    except STORAGE_ERRORS as exc:
        logger.warning("media storage failed (files to be %s): %s", action, exc)
        raise StorageUnavailable(
            f"The file storage is not answering, so the files could not be {action}. "
            "Nothing was changed; try again in a moment."
        ) from exc
