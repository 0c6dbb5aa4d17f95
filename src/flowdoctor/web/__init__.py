"""The web dashboard: server-rendered pages at ``/`` over the same services as the API.

Everything it needs ships in this package (Jinja2 templates, one stylesheet, one small script,
SVG charts drawn in Python), so it works with no network; pages work without the script, which
adds sorting, searching and live alert updates.
"""

from flowdoctor.web.app import install_dashboard

__all__ = ["install_dashboard"]
