"""Generic rules for what the workflow processes (data) and runs (logic), for failures on the
remote side (external_service), for slowness (performance), and last the bare HTTP statuses.
"""

from __future__ import annotations

from flowdoctor.detect.rule_model import ErrorRule, make_rule, status_pattern
from flowdoctor.domain import IssueCategory as C
from flowdoctor.domain import ReplaySafety, Severity

RECORD_NOT_FOUND_RULES: tuple[ErrorRule, ...] = (
    # A record named by the data (a contact ID from the trigger) is data, not configuration.
    make_rule(
        "data.record_not_found",
        # The noun, at most one identifier after it, then "not found": a gap any wider would let
        # a JSON key ("message": "Channel not found") or a sentence decide.
        r"\b(?:record|row|item|contact|customer|lead|deal|ticket|order|invoice|document|entity"
        r"|member|subscriber|user|person|company|product|issue|event|page|file|email|recipient)s?"
        r"(?: (?:with |for )?(?:the )?(?:id|key|email|external id|number"
        r"|name)[:=]?)?(?: [^\s]{1,60})?"
        r" (?:was |were |is |could )?(?:not (?:be )?found|does not exist|doesn'?t exist)\b"
        r"|\bno (?:such )?(?:record|row|contact|customer|user|item|member|subscriber)s? (?:found"
        r"|with)"
        r"|\b(?:user|member|contact|record|item)s?_not_found\b|\bresource_missing\b",
        C.DATA,
        confidence=0.75,
    ),
)

LOGIC_RULES: tuple[ErrorRule, ...] = (
    # Named exception classes first: "IndexError: list index out of range" is a code defect even
    # though "out of range" also reads like a data problem.
    make_rule(
        "logic.python_exception",
        r"(?-i:\b(?:KeyError|TypeError|AttributeError|NameError|IndexError|ZeroDivisionError"
        r"|UnboundLocalError|AssertionError|NotImplementedError|RecursionError|StopIteration"
        r"|ReferenceError)\b)",
        C.LOGIC,
        confidence=0.85,
    ),
    make_rule(
        "logic.null_reference",
        r"\bNullPointerException\b|\bNullReferenceException\b"
        r"|Object reference not set to an instance"
        r"|nil pointer dereference|\bNoneType\b|Cannot read propert(?:y|ies) of (?:undefined|null)"
        r"|undefined is not (?:a function|an object)|\bis not a function\b|\bundefined method\b"
        r"|\bNoMethodError\b|\bClassCastException\b|\bIndexOutOfBoundsException\b"
        r"|\bArrayIndexOutOfBounds\w*|\bindex out of (?:range|bounds)\b|\bdivi(?:de|sion) by zero\b"
        r"|\bpanic: runtime error\b|\bsegmentation fault\b|\bSIGSEGV\b",
        C.LOGIC,
        confidence=0.85,
    ),
    make_rule(
        "logic.runaway",
        r"maximum recursion depth|Maximum call stack size exceeded|\bStackOverflow(?:Error)?\b"
        r"|\binfinite (?:loop|recursion)\b|\bassertion failed\b|\bUnhandledPromiseRejection\w*"
        r"|\bunreachable code\b",
        C.LOGIC,
        confidence=0.8,
    ),
)

DATA_RULES: tuple[ErrorRule, ...] = (
    make_rule(
        "data.corruption",
        r"\bdata corruption\b|\bcorrupt(?:ed|ion)? (?:data|file|record|page|index|database|block)"
        r"|checksum mismatch|database disk image is malformed|integrity check failed"
        r"|\bCRC mismatch\b",
        C.DATA,
        severity=Severity.CRITICAL,
        confidence=0.85,
    ),
    make_rule(
        "data.duplicate",
        r"\bduplicate (?:key|entry|record|value|email|contact|row)|\bunique (?:constraint|violation"
        r"|index)|\bE11000\b|\balready exists\b|\bMember Exists\b|\balready (?:been )?(?:taken"
        r"|registered|in use|subscribed)\b|\bDuplicate\w*Exception\b",
        C.DATA,
        confidence=0.85,
    ),
    make_rule(
        "data.constraint",
        r"\b(?:not-null|not null|foreign key|check) constraint\b|\bnull value in column\b"
        r"|\bcannot be null\b|\bIntegrityError\b|\bConditionalCheckFailed\w*",
        C.DATA,
        confidence=0.85,
    ),
    make_rule(
        "data.encoding",
        r"\bUnicode(?:De|En)codeError\b|invalid byte sequence|codec can'?t (?:decode|encode)"
        r"|\binvalid (?:utf-?8|encoding|character)\b|malformed utf-?8|\bIncorrect string value\b",
        C.DATA,
        confidence=0.9,
    ),
    make_rule(
        "data.too_long",
        r"(?<!took )(?<!taking )(?<!taken )(?<!running )(?<!waiting )\btoo long\b"
        r"|\bexceeds? (?:the )?max(?:imum)? (?:length|size)\b"
        r"|\bmaximum (?:length|size)\b|\bvalue too large\b|\bcontext_length_exceeded\b"
        r"|maximum context length|\bpayload too large\b|\brequest entity too large\b"
        r"|would be truncated|\bout of range\b|\bnumeric (?:field )?overflow\b|"
        + status_pattern(413),
        C.DATA,
        confidence=0.8,
    ),
    make_rule(
        "data.required",
        r"\brequired (?:field|property|attribute|parameter|value)s?\b|\b(?:is|are) required\b"
        r"|\bmissing (?:required )?(?:field|value|property|attribute|parameter)s?\b"
        r"|\b(?:can'?t|cannot|may not|must not|should not) be (?:blank|empty|null)\b"
        r"|\bmust be (?:provided|present|specified)\b",
        C.DATA,
        confidence=0.75,
    ),
    make_rule(
        "data.parse",
        r"\bJSONDecodeError\b|Unexpected token [^\n]{1,20}? in JSON|Unexpected end of JSON"
        r"|Expecting value: line|\bnot valid JSON\b|\bJSON parse error\b|\b(?:cannot|could not"
        r"|unable to|failed to|can't) (?:parse|convert|deserialize|decode)\b|\bparse error\b"
        r"|\bParseError\b|\bunpars(?:e)?able\b|\bmalformed (?:json|request|payload|body|input|data"
        r"|xml|csv|record|id|email)\b|\binvalid literal for\b",
        C.DATA,
        confidence=0.8,
    ),
    make_rule(
        "data.format",
        r"\binvalid (?:input|format|date|datetime|time|email|e-mail|phone|number|value|json|payload"
        r"|type|enum|uuid|id|request body|body|data|parameter value|argument|address|currency"
        r"|amount|record|character)s?\b|\bnot a valid\b|\bis not valid\b|\bmust be a valid\b"
        r"|\bmust be (?:a|an) (?:string|number|integer|boolean|array|object|date)\b"
        r"|\binvalid type\b|\bexpected (?:type|a |an )|\bwrong type\b|\btype mismatch\b"
        r"|\bincorrect (?:integer|datetime|date|decimal|string|double) value\b|\bbad format\b",
        C.DATA,
        confidence=0.75,
    ),
    make_rule(
        "data.validation",
        r"\bvalidation (?:error|failed|failure|exception)|\bValidation\w*(?:Error|Exception)\b"
        r"|\bfailed validation\b|\bunprocessable entity\b|does not match (?:the )?(?:pattern"
        r"|schema|format)|" + status_pattern(422),
        C.DATA,
        confidence=0.8,
    ),
    make_rule(
        "data.value_rule",
        r"\bmust be (?:less|greater|at least|at most|between|one of|unique|positive|non-negative"
        r"|shorter|longer|fewer|more)\b|\btoo short\b|\bexpected\b[^\n]{1,40}?\bbut (?:got"
        r"|received|found|was)\b|\bunexpected (?:character|end of input|end of file|value|field"
        r"|type)\b|\bnot in the (?:correct|expected|right) format\b|\b(?:incorrect|wrong"
        r"|unsupported) (?:date |file |number )?format\b|\bdoes not conform to\b"
        r"|\bconversion failed\b|\bcould not be converted\b|\bError tokenizing data\b"
        r"|\bnot (?:an? )?(?:allowed|accepted|permitted) value\b|\binvalid choice\b"
        r"|\bnot one of\b",
        C.DATA,
        confidence=0.75,
    ),
)

LATE_LOGIC_RULES: tuple[ErrorRule, ...] = (
    # After data: a JSON "SyntaxError: Unexpected token" is an unparseable payload, other syntax
    # errors and unhandled exceptions are the workflow's own code.
    make_rule(
        "logic.unhandled",
        r"(?-i:\bSyntaxError\b)|\bun(?:handled|caught) (?:exception|error|rejection"
        r"|promise rejection)"
        r"\b|\bIllegal(?:State|Argument)Exception\b|\bConcurrentModificationException\b"
        r"|\binvalid state\b|\bobject is not (?:subscriptable|iterable|callable)\b"
        r"|\bhas no attribute\b|\bis not defined\b|\bexpression (?:error|evaluation failed)"
        r"|\bUndefinedError\b|\btemplate (?:error|syntax error)\b"
        r"|\bUndefined (?:variable|index|offset|property)\b",
        C.LOGIC,
        confidence=0.6,
    ),
)

EXTERNAL_SERVICE_RULES: tuple[ErrorRule, ...] = (
    make_rule(
        "external_service.http_5xx",
        status_pattern(500, 501, 502, 503, 520, 521, 522, 523, 524, 529)
        + r"|\b50[0-3] (?:internal|bad gateway|service unavailable|server error|not implemented)",
        C.EXTERNAL_SERVICE,
        confidence=0.85,
    ),
    make_rule(
        "external_service.server_error",
        r"\binternal server error\b|\binternal[ _]error\b|\bInternal(?:Server)?Error\b"
        r"|\bserver error\b|\bbad gateway\b|\bservice[ _](?:is )?(?:temporarily )?unavailable\b"
        r"|\bServiceUnavailable\w*|\btemporarily unavailable\b|\bunavailable\b|\bmaintenance\b"
        r"|\boutage\b|\bbackendError\b|\bupstream (?:connect )?error\b|\bfatal_error\b"
        r"|\boverloaded(?:_error)?\b|\bSERVER_UNAVAILABLE\b|\bUNKNOWN_EXCEPTION\b"
        r"|\bgeneralException\b|\bserviceNotAvailable\b|\bunexpected error (?:occurred )?on "
        r"(?:the |our )?(?:server|side)",
        C.EXTERNAL_SERVICE,
        confidence=0.8,
    ),
)

VAGUE_EXTERNAL_RULES: tuple[ErrorRule, ...] = (
    # After everything specific: what remains of "try again later" is the vendor's side.
    make_rule(
        "external_service.vague",
        r"\btry again later\b|\bplease try again\b|\bserver (?:is )?busy\b|\bServerBusy\b"
        r"|\bsomething went wrong\b|\bunexpected (?:server )?error\b|\bunknown (?:server )?error\b"
        r"|\bexperiencing (?:issues|problems|an outage|high load|difficulties)\b"
        r"|\bno healthy upstream\b|\bInternalFailure\b|\bServiceException\b",
        C.EXTERNAL_SERVICE,
        confidence=0.55,
    ),
)

PERFORMANCE_RULES: tuple[ErrorRule, ...] = (
    make_rule(
        "performance.slow",
        r"\bslow (?:query|queries|request|response|log|operation|consumer|call|statement|api)"
        r"|\bslowlog\b|\blong[- ]running (?:query|request|transaction|job)\b"
        r"|\bduration: \d{1,9}(?:\.\d{1,6})? ms\b|\bslower than (?:usual|normal|expected"
        r"|baseline)\b"
        r"|\brunning slow(?:ly)?\b|\b(?:performance|latency) degrad\w*|\bdegraded performance\b",
        C.PERFORMANCE,
        confidence=0.8,
    ),
    make_rule(
        "performance.latency",
        r"\b(?:latency|response time|p9[059]|p50|duration|run ?time)\b[^\n]{0,40}?"
        r"\b(?:above|exceed\w*|higher than|over|spik\w*|increas\w*|threshold|baseline)\b"
        r"|\bhigh latency\b",
        C.PERFORMANCE,
        confidence=0.75,
    ),
    make_rule(
        "performance.throughput",
        r"\bthroughput\b[^\n]{0,40}?\b(?:drop\w*|fell|fall\w*|decreas\w*|below|degrad\w*|low)\b"
        r"|\bbacklog\b[^\n]{0,40}?\b(?:grow\w*|increas\w*|high|exceed\w*)\b|\b(?:consumer"
        r"|replication"
        r"|replica) lag\b|\blag\b[^\n]{0,30}?\b(?:grow\w*|increas\w*|high|exceed\w*|behind|above)\b"
        r"|\bfalling behind\b|\bqueue depth\b[^\n]{0,30}?\b(?:grow\w*|high|above|increas\w*)\b",
        C.PERFORMANCE,
        confidence=0.75,
    ),
    make_rule(
        "performance.stall",
        r"\btook \d{1,9}(?:\.\d{1,6})? ?(?:ms|s|secs?|seconds|minutes|mins?)\b|\b(?:took|taking"
        r"|takes) (?:much )?longer than (?:expected|usual|normal)|\bis taking too long\b"
        r"|\bevent loop (?:blocked|lag|delay)\w*|\bGC pause|\bstop-the-world\b|\bfull table scan\b"
        r"|\bsequential scan\b|\bQuery_time: \d|\bperformance (?:warning|issue|problem|alert"
        r"|regression)\b|\b(?:rps|qps|tps|requests per second|records per (?:second|minute)"
        r"|events per (?:second|minute)|processing rate)\b[^\n]{0,30}?\b(?:dropped|fell"
        r"|decreased|below)\b",
        C.PERFORMANCE,
        confidence=0.7,
    ),
)

HTTP_FALLBACK_RULES: tuple[ErrorRule, ...] = (
    # Bare statuses, after every message rule: a status alone says less than the words around it.
    make_rule(
        "http.not_found",
        status_pattern(404, reason="not found") + r"|\bNot Found\b",
        C.CONFIGURATION,
        confidence=0.55,
    ),
    make_rule(
        "http.gone_or_method",
        status_pattern(405, 410, 415, reason="(?:gone|method not allowed|unsupported media)"),
        C.CONFIGURATION,
        confidence=0.6,
    ),
    # A bare 400 is left unclassified on purpose: it means data as often as configuration.
    make_rule(
        "http.conflict",
        status_pattern(409, reason="conflict"),
        C.DATA,
        confidence=0.55,
    ),
    make_rule(
        "http.server",
        status_pattern(505, 506, 508, 510, 511),
        C.EXTERNAL_SERVICE,
        replay_safety=ReplaySafety.MAY_DUPLICATE_WRITES,
        confidence=0.55,
    ),
    make_rule(
        "http.insufficient_storage",
        status_pattern(507, reason="insufficient"),
        C.RESOURCE,
        confidence=0.6,
    ),
)
