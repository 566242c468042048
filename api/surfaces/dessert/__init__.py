"""The Dessert surface (``/v1/``): ads/generate, deliveries, brands, styles, balance, usage."""
