"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def database_ready() -> str | None:
    """None when the database answers, else why not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any driver error means "not ready"
        return f"{type(exc).__name__}: {exc}"
    return None


def broker_ready() -> str | None:
    """None when the Celery broker accepts a connection, else why not."""
    from studio.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0,
                timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
            )
    except Exception as exc:  # noqa: BLE001 - kombu raises transport-specific errors
        return f"{type(exc).__name__}: {exc}"
    return None
