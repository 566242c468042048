"""Model providers: the capability interfaces (:mod:`.base`), the one HTTP call with retries,
breaker and cost records (:mod:`.http`, :mod:`.breaker`), and the registry deciding which
implementation serves each model id (:mod:`.registry`). Adapters live one module per provider
protocol. Without configuration the local engine serves everything."""
