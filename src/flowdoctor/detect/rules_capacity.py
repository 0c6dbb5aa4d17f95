"""Generic rules for running out of something (resource) and running out of time (timeout).

Both groups come early in the rule order because of the taxonomy's tie-breaks: a 429 or a
throttling message is **resource** even when the response was wrapped in a 503, and a 504 or a
"connect timed out" is **timeout** even though it mentions a connection.
"""

from __future__ import annotations

from flowdoctor.detect.rule_model import ErrorRule, make_rule, status_pattern
from flowdoctor.domain import IssueCategory as C
from flowdoctor.domain import ReplaySafety, Severity

RATE_LIMIT_RULES: tuple[ErrorRule, ...] = (
    make_rule(
        "resource.http_429",
        status_pattern(429, reason="too many")
        + r"|\btoo[ _-]?many[ _-]?requests\b|\bTooManyRequestsException\b",
        C.RESOURCE,
        confidence=0.9,
    ),
    make_rule(
        "resource.rate_limit",
        r"\brate[ _-]?limit(?:ed|ing|s)?\b|\brate exceeded\b|\bthrottl(?:ed|ing|e)\b"
        r"|\bThrottlingException\b|\bRequestLimitExceeded\b|\bOVER_QUERY_LIMIT\b",
        C.RESOURCE,
        confidence=0.9,
    ),
    make_rule(
        "resource.quota",
        r"\bquota\b[^\n]{0,40}\b(?:exceeded|exhausted|reached|limit)"
        r"|\bexceeded\b[^\n]{0,30}\bquota\b"
        r"|\bover[ _]?quota\b|\b(?:request|api|call|daily|hourly|monthly|usage|concurrency|"
        r"concurrent|secondly)[ _-](?:requests?[ _-])?limits?[ _-](?:exceeded|reached|hit)\b",
        C.RESOURCE,
        confidence=0.85,
    ),
    make_rule(
        "resource.connections",
        r"too many (?:connections|clients)|\bmax_user_connections\b|max(?:imum)? number of clients"
        r"|connection pool[^\n]{0,20}(?:exhausted|full|limit)|\bQueuePool limit\b|pool exhausted"
        r"|no (?:more )?available connections?",
        C.RESOURCE,
        confidence=0.9,
    ),
)

CAPACITY_RULES: tuple[ErrorRule, ...] = (
    make_rule(
        "resource.capacity",
        r"\btoo many (?:concurrent|simultaneous|parallel|pending|active|in-flight|open)\b"
        r"|\b(?:at|over|insufficient|exceeded|out of) capacity\b|\bcapacity (?:exceeded|reached)\b"
        r"|\bexceed\w*\b[^\n]{0,20}?\b(?:request|api|call|usage|daily|hourly|monthly|concurrency"
        r"|connection|plan|bandwidth|throughput) limits?\b|\bConcurrentInvocationLimitExceeded\b"
        r"|\b(?:queue|buffer) (?:is )?(?:full|overflow\w*)\b|\b(?:bandwidth|throughput) (?:limit )?"
        r"exceeded\b",
        C.RESOURCE,
        confidence=0.8,
    ),
    # Credits or billing ran out: waiting will not help, someone has to pay or raise the limit.
    make_rule(
        "resource.billing",
        r"\binsufficient (?:credits?|balance|funds)\b|\bcredit balance\b"
        r"|\bbilling (?:hard )?limit\b"
        r"|\bout of credits\b|\bpayment required\b|" + status_pattern(402),
        C.RESOURCE,
        severity=Severity.HIGH,
        retryable=False,
        replay_safety=ReplaySafety.UNSAFE_UNTIL_FIXED,
        confidence=0.8,
    ),
    # Out of memory or disk on the same input usually happens again: fix before replaying.
    make_rule(
        "resource.memory",
        r"out of memory|\bOOM(?:[ _-]?killed)?\b|\bMemoryError\b|heap out of memory"
        r"|cannot allocate memory|\bENOMEM\b|memory limit exceeded|exceeded (?:the )?memory"
        r"|std::bad_alloc|OutOfMemoryError|Runtime exited with error: signal: killed"
        r"|exit(?:ed with)? code 137\b",
        C.RESOURCE,
        severity=Severity.HIGH,
        retryable=False,
        replay_safety=ReplaySafety.UNSAFE_UNTIL_FIXED,
        confidence=0.9,
    ),
    make_rule(
        "resource.disk",
        r"no space left on device|\bENOSPC\b|\bdisk (?:is )?full\b|disk quota exceeded"
        r"|insufficient (?:disk space|storage)|\bstorageQuotaExceeded\b"
        r"|storage (?:quota|limit|space)[^\n]{0,20}(?:exceeded|reached|full)",
        C.RESOURCE,
        severity=Severity.HIGH,
        retryable=False,
        replay_safety=ReplaySafety.UNSAFE_UNTIL_FIXED,
        confidence=0.9,
    ),
    make_rule(
        "resource.file_handles",
        r"too many open files|\bEMFILE\b|\bENFILE\b",
        C.RESOURCE,
        confidence=0.9,
    ),
)

TIMEOUT_RULES: tuple[ErrorRule, ...] = (
    make_rule(
        "timeout.http_504",
        status_pattern(504, reason="gateway") + r"|\bgateway time-?out\b",
        C.TIMEOUT,
        confidence=0.9,
    ),
    make_rule(
        "timeout.connect",
        r"\bconnect(?:ion)?[ _-]?time(?:d[ _-]?)?out|\bConnectTimeout\w*|\bconnect ETIMEDOUT\b"
        r"|\bETIMEDOUT\b|connection attempt failed[^\n]{0,80}did not properly respond",
        C.TIMEOUT,
        confidence=0.9,
    ),
    make_rule(
        "timeout.read",
        r"\b(?:read|write|socket|request|response|idle)[ _-]?time(?:d[ _-]?)?out\b|\bReadTimeout\w*"
        r"|\bSocketTimeoutException\b|\bESOCKETTIMEDOUT\b|" + status_pattern(408, reason="request"),
        C.TIMEOUT,
        confidence=0.9,
    ),
    make_rule(
        "timeout.deadline",
        r"\bdeadline[ _]exceeded\b|\bDeadlineExceeded\b",
        C.TIMEOUT,
        confidence=0.9,
    ),
    make_rule(
        "timeout.statement",
        r"\b(?:statement|query|lock wait|lock)[ _]time(?:d[ _-]?)?out\b|\bQUERY_TIMEOUT\b"
        r"|canceling statement due to",
        C.TIMEOUT,
        confidence=0.9,
    ),
    make_rule(
        "timeout.task",
        r"\b(?:task|function|job|step|execution|operation|activity|script) (?:has )?timed out\b"
        r"|\btime ?limit (?:of [^\n]{1,20})?(?:exceeded|reached)\b|maximum execution time"
        r"|\btimeout (?:value )?of [^\n]{1,20} (?:exceeded|reached)"
        r"|exceeded (?:the )?(?:time ?limit"
        r"|timeout)|\btook too long\b|\btimed? ?out after\b",
        C.TIMEOUT,
        confidence=0.85,
    ),
    # Last of the group: a bare "timed out" / "timeout" with nothing more specific around it.
    make_rule(
        "timeout.generic",
        r"\btimed[ _-]?out\b|\btime-?out(?:error|exception)?\b",
        C.TIMEOUT,
        confidence=0.75,
    ),
)

LATE_RESOURCE_RULES: tuple[ErrorRule, ...] = (
    # After data and timeout rules: "payload size limit exceeded" is data, "time limit exceeded"
    # is timeout; what is left of "limit exceeded" is most often an allowance that ran out.
    make_rule(
        "resource.limit_generic",
        r"\blimit (?:exceeded|reached)\b|\bexceeds? (?:the )?max(?:imum)? (?:allowed )?number of\b",
        C.RESOURCE,
        confidence=0.6,
    ),
)
