"""Where the API lives (the one prefix every router is mounted under), and which requests are a
browser asking for a dashboard page rather than a client of the API."""

API_PREFIX = "/api/workflow-troubleshooting"

NOT_PAGES = (API_PREFIX, "/metrics", "/fragments")
"""The API, Prometheus' scrape and the fragments the dashboard's script fetches: answered with
problem details even when the client accepts HTML."""


def wants_page(path: str, accept: str) -> bool:
    """Whether a request to ``path`` with this ``Accept`` header is a browser asking for a page
    (shown an HTML error page, or sent to the login page, instead of problem details)."""
    return not path.startswith(NOT_PAGES) and "text/html" in accept
