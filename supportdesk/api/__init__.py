"""The REST API's shared plumbing: problem-details errors, pagination, throttling, strict input
and the base view every endpoint uses. Endpoints themselves live in ``<app>/api/``; the routes
are collected in ``supportdesk/api_urls.py``."""
