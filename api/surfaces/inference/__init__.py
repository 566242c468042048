"""The inference.sh task surface running ``bria/ads-generate`` at ``/api/v1/``."""
