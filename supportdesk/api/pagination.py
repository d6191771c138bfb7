"""Cursor pagination for every list: stable paging over millions of rows, no counts.

``next`` / ``previous`` are full URLs carrying an opaque ``cursor``; a page costs the same
whatever its depth because it seeks by an indexed ordering (with the id as tie-breaker).
"""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """Newest first by id (the default for lists of rows that never change order)."""

    page_size = 50
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = "-id"
    cursor_query_param = "cursor"
