"""xinqu-digest's core: configuration, store, processing, the issue, mail, health, web.

The Scrapy project (``crawler``) and the CLI and service (``scheduler``) both import
this package; it imports neither.
"""
