"""The Scrapy project: one spider per configured source, CMS-family profiles, extraction."""
