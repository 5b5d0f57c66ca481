"""Printed documents: registration certificates, region recaps, period minutes, bulk batches.

Everything is rendered by `reports.renderer` (Jinja with autoescaping, WeasyPrint with a URL
fetcher that serves only this package's assets). The modules here gather the data for each
document; the doors are views/reports.py (web) and the `bulk_certificates` job (scheduler).
"""
