from rest_framework.pagination import CursorPagination


class CursorPage(CursorPagination):
    """Stable under inserts, constant cost per page whatever the table size."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"
