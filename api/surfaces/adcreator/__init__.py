"""adcreator.ai's platform surface at ``/api/platform/``."""
