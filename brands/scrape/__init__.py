"""Website scraping for Brand DNA.

- ``brands.scrape.http``: the one SSRF-safe outbound HTTP client (``SafeClient``, ``safe_get``,
  ``OutboundRefused``, ``FetchFailed``), reused for reference images and webhooks.
- ``brands.scrape.extract``: pure extraction functions over fetched documents.
- ``brands.scrape.colors``: colour parsing, distances, image quantising.
- ``brands.scrape.crawl``: ``scrape_site(url)`` — the bounded crawl that feeds the extractors.
"""
