"""Who may call the API: API keys (issued, hashed, checked, revoked) and per-key rate limits."""

from flowdoctor.access.keys import KeyService, parse_token
from flowdoctor.access.rate_limit import RateLimiter

__all__ = ["KeyService", "RateLimiter", "parse_token"]
