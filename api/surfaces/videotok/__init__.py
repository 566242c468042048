"""videotok's generations surface at ``/api/v1/``."""
