"""The Django project package. Its Celery app (``studio.celery``) is loaded by
``StudioConfig.ready`` and found by ``celery -A studio``; importing this package loads nothing,
so the pure ``studio.visual`` rules stay importable without Django."""
