"""The one search box: ticket references, client identifiers and full text (staff only)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from supportdesk.errors import ApplicationError
from teams import access
from tickets.selectors import search as selectors


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """``GET ?q=``: results page; an exact match on exactly one ticket opens that ticket.

    An empty query shows the page with a hint; a query over the length limit is a 400 with the
    reason on the page.
    """
    access.require(access.is_staff_member(request.user))
    text = request.GET.get("q", "")
    try:
        results = selectors.search_results_for(
            user=request.user, text=text, language=request.LANGUAGE_CODE
        )
    except ApplicationError as error:
        return render(
            request,
            "tickets/search.html",
            {
                "query": text[: selectors.MAX_QUERY_LENGTH],
                "error": error.message,
                "max_length": selectors.MAX_QUERY_LENGTH,
            },
            status=error.status,
        )
    if results.redirect_ticket is not None:
        return redirect("tickets:detail", ticket_id=results.redirect_ticket.pk)
    return render(
        request,
        "tickets/search.html",
        {
            "query": results.query,
            "results": results,
            "max_length": selectors.MAX_QUERY_LENGTH,
            "result_limit": selectors.RESULT_LIMIT,
        },
    )


urlpatterns = [
    path("search/", search, name="search"),
]
