"""Generic rules for reaching a service and being let in: configuration, permissions, connectivity.

The tie-break between the first two: a *wrong* key or token is permissions, an *unset* one is
configuration, so :data:`UNSET_CREDENTIAL_RULES` run before :data:`PERMISSION_RULES`.
"""

from __future__ import annotations

from flowdoctor.detect.rule_model import ErrorRule, make_rule, status_pattern
from flowdoctor.domain import IssueCategory as C
from flowdoctor.domain import ReplaySafety, Severity

_KEY_NAMES = (
    r"(?:api[ _-]?key|access[ _-]?key|secret(?:[ _-]?key)?|credentials?|client[ _-]?secret"
    r"|(?:access|auth|bearer|api|refresh|oauth2?|id)[ _-]?token)"
)
"""The names of a secret; "token" alone is too common a word to count."""

_CONFIGURED = (
    r"(?:channel|bucket|queue|topic|table|database|schema|spreadsheet|worksheet|sheet|folder"
    r"|repository|repo|project|workspace|webhook|endpoint|index|collection|stream|tenant"
    r"|organi[sz]ation|app|application|model|region|function|lambda|namespace|domain|list|audience"
    r"|board|base|calendar|drive|site|instance|cluster|environment)"
)
"""Things a workflow author configures: when one of them does not exist, fix the configuration."""

UNSET_CREDENTIAL_RULES: tuple[ErrorRule, ...] = (
    make_rule(
        "configuration.unset_secret",
        rf"\b{_KEY_NAMES}\b[^\n]{{0,30}}?\b(?:is |are |was )?"
        r"(?:not (?:set|provided|configured|found|defined)|missing|required|empty|undefined)\b"
        rf"|\b(?:missing|no|without(?: an?)?) {_KEY_NAMES}"
        rf"|did(?:n'?t| not) provide an? {_KEY_NAMES}"
        rf"|\bmust (?:provide|supply|set) an? {_KEY_NAMES}",
        C.CONFIGURATION,
        confidence=0.85,
    ),
    make_rule(
        "configuration.env_var",
        r"\benv(?:ironment)?[ _-]?var(?:iable)?s?\b[^\n]{0,60}\b(?:not (?:set|defined|found)"
        r"|missing"
        r"|undefined|required|empty)\b|\b(?:missing|unset|undefined) (?:required )?env(?:ironment)?"
        r"[ _-]?var|(?-i:KeyError: ['\"]?[A-Z][A-Z0-9]*_[A-Z0-9_]+['\"]?)"
        r"|Could not (?:automatically determine|load) (?:the default )?credentials"
        r"|\bDefaultCredentialsError\b",
        C.CONFIGURATION,
        confidence=0.85,
    ),
)

PERMISSION_RULES: tuple[ErrorRule, ...] = (
    make_rule(
        "permissions.expired_or_revoked",
        r"\bexpired or (?:been )?revoked\b",
        C.PERMISSIONS,
        confidence=0.9,
    ),
    # A revoked or leaked credential is a security event that can affect every workflow using it.
    make_rule(
        "permissions.revoked",
        rf"\b(?:{_KEY_NAMES}|token|key|password|grant|consent)\b[^\n]{{0,30}}?\b(?:has been |was "
        rf"|were |is )?"
        rf"(?:revoked|leaked|compromised)\b|\b(?:revoked|leaked|compromised) {_KEY_NAMES}",
        C.PERMISSIONS,
        severity=Severity.CRITICAL,
        confidence=0.85,
    ),
    make_rule(
        "permissions.oauth",
        r"\binvalid_grant\b|\binvalid_client\b|\bunauthorized_client\b|\binvalid_token\b",
        C.PERMISSIONS,
        confidence=0.9,
    ),
    make_rule(
        "permissions.expired",
        r"\b(?:token|session|credentials?|jwt|key|signature|password|login|authori[sz]ation)\b"
        r"[^\n]{0,30}?\b(?:has |is |was )?expired\b|\bexpired (?:access |auth |bearer |api )?"
        r"(?:token|session|credentials?|jwt|key)\b|\b(?:Token|Jwt|Session)Expired\w*"
        r"|\btoken_expired\b",
        C.PERMISSIONS,
        confidence=0.9,
    ),
    make_rule(
        "permissions.invalid_secret",
        rf"\b(?:invalid|incorrect|wrong|bad|unknown|malformed"
        rf"|unrecognized) (?:oauth2? )?{_KEY_NAMES}"
        rf"|\b(?:invalid|incorrect|wrong|bad) (?:token|password|username or password|login"
        rf"|signature)\b|\b(?:token|signature|jwt|password) (?:is |was )?(?:invalid|not valid"
        rf"|malformed|incorrect)\b"
        rf"|\b{_KEY_NAMES} (?:is |was )?(?:invalid|incorrect|not valid|wrong)\b"
        rf"|\binvalid_api_key\b",
        C.PERMISSIONS,
        confidence=0.9,
    ),
    make_rule(
        "permissions.account",
        r"\b(?:account|user|organization|workspace) (?:has been |is |was )?(?:suspended|disabled"
        r"|deactivated|locked|blocked|banned)\b|\baccount_(?:inactive|disabled|suspended)\b",
        C.PERMISSIONS,
        confidence=0.85,
    ),
    make_rule(
        "permissions.ip_allowlist",
        r"\bip(?: address)?\b[^\n]{0,60}?\bnot (?:allow-?listed|whitelisted|allowed|authori[sz]ed"
        r"|permitted)\b|\bnot (?:in|on) (?:the |your )?(?:ip )?(?:allow|white)[ -]?list\b",
        C.PERMISSIONS,
        confidence=0.85,
    ),
    make_rule(
        "permissions.auth_failed",
        r"\bauthenticat(?:ion|e)\b[^\n]{0,12}?\b(?:failed|failure|error|denied|rejected)\b"
        r"|\b(?:failed|unable|could not|couldn't) to authenticate\b|\bunauthenticated\b"
        r"|\bnot authenticated\b|\b(?:login|logon|sign[ -]?in) (?:failed|denied)\b"
        r"|\brequires authentication\b|\bauth(?:entication|orization)? (?:is )?required\b"
        r"|\bunauthori[sz]ed\b|" + status_pattern(401, reason="unauthori"),
        C.PERMISSIONS,
        confidence=0.85,
    ),
    make_rule(
        "permissions.denied",
        r"\baccess[ _-]?denied\b|\bAccessDenied\w*|\bpermission[ _-]?denied\b|\bforbidden\b"
        r"|\binsufficient[ _](?:permissions?|privileges?|scopes?|access|rights)\b"
        r"|\bmissing[ _](?:scopes?|permissions?)\b|\bnot (?:authori[sz]ed|permitted) to\b"
        r"|\bdo(?:es)? not have (?:the )?(?:required )?(?:permission|access|rights)"
        r"|\bEACCES\b|\bEPERM\b|\bPERMISSION_DENIED\b|operation not permitted"
        r"|\b(?:are|is) not allowed to (?!be\b)|\b(?:consent|interaction|login|admin approval|mfa)"
        r"[ _](?:is )?required\b|\bhas not (?:granted|authori[sz]ed)\b|"
        + status_pattern(403, reason="forbidden"),
        C.PERMISSIONS,
        confidence=0.85,
    ),
)

CONFIGURATION_RULES: tuple[ErrorRule, ...] = (
    make_rule(
        "configuration.disabled",
        r"\b(?:api|feature|service|integration|app|module|webhook)s? (?:access )?(?:is |has been "
        r"|are )?"
        r"(?:disabled|not enabled|turned off)\b|\bnot enabled for (?:this|your) (?:account|org"
        r"|organi[sz]ation|project|workspace)\b",
        C.CONFIGURATION,
        confidence=0.85,
    ),
    # Something the workflow is configured to use does not exist. Records named by the data are
    # data (``RECORD_NOT_FOUND_RULES`` run first); these nouns are things a workflow author sets up.
    make_rule(
        "configuration.missing_target",
        rf"\b{_CONFIGURED}\b[^\n]{{0,40}}?\b(?:not found|does not exist|doesn'?t exist|could not be"
        rf" found|cannot be found|not exist)\b|\b(?:could not|couldn't|unable to|cannot|can't) find"
        rf" (?:the |a |an |any )?(?:specified |requested )?{_CONFIGURED}\b|\b(?:unknown|no such"
        rf"|invalid|nonexistent|non-existent) {_CONFIGURED}\b|\bResourceNotFoundException\b"
        rf"|\b(?:model|project|index|queue|topic|table|bucket)_not_found\b",
        C.CONFIGURATION,
        confidence=0.8,
    ),
    make_rule(
        "configuration.mapping",
        r"\b(?:unknown|unrecognized|invalid|no such) (?:field|column|property|attribute|parameter)"
        r"(?: name)?s?\b|\b(?:field|column|property) [^\n]{1,60}? (?:does not exist|is not defined"
        r"|not found)\b|\bPROPERTY_DOESNT_EXIST\b|\bunknown_(?:field|property|column)\b",
        C.CONFIGURATION,
        confidence=0.8,
    ),
    make_rule(
        "configuration.url",
        r"\binvalid (?:url|uri|endpoint|base url|host(?:name)?|webhook url)\b|\bMissingSchema\b"
        r"|\bInvalidURL\b|no connection adapters|unsupported protocol|malformed url"
        r"|\bERR_INVALID_URL\b",
        C.CONFIGURATION,
        confidence=0.85,
    ),
    make_rule(
        "configuration.region_version",
        r"\b(?:wrong|invalid|unsupported|unknown) region\b|\bapi[ _-]?version\b[^\n]{0,30}?"
        r"\b(?:not supported|unsupported|deprecated|invalid|no longer)\b|\b(?:unsupported|invalid"
        r"|deprecated) api[ _-]?version\b|\bendpoint (?:has been |is )?(?:deprecated|removed"
        r"|retired)\b",
        C.CONFIGURATION,
        confidence=0.8,
    ),
    make_rule(
        "configuration.unsupported",
        r"\bnot (?:properly )?configured\b|\bunsupported_grant_type\b|\binvalid_scope\b"
        # An OAuth token request without a usable grant_type is a connector set up wrong, not a
        # refused credential (that one is ``invalid_grant``, a permissions failure).
        r"|\b(?:invalid|missing|unknown) grant[ _]type\b|\bgrant_type\b[^\n]{0,30}?\b(?:is "
        r"|was )?(?:missing|required|not supported)\b"
        r"|\bunsupported (?:grant type|response type|operation|method|api|content[- ]type"
        r"|media type|region)\b|\bunknown (?:action|method|operation|event type)\b"
        r"|\b(?:method_not_found|unknown_method)\b|\b(?:has been|is) deprecated\b"
        r"|\bno longer (?:available|supported)\b|\b(?:requires|available on|not available on"
        r"|not included in) (?:a |an |the |your )?(?:(?:paid|premium|pro|business|enterprise|higher"
        r"|current) )?(?:plan|subscription|tier|edition)\b|\bupgrade your (?:plan|account"
        r"|subscription)\b|\b(?:unverified|not verified|not a verified) (?:sender|domain|number"
        r"|email|phone)|\bverified sender\b|\b(?:invalid|unknown) time ?zone\b",
        C.CONFIGURATION,
        confidence=0.75,
    ),
    make_rule(
        "configuration.schedule",
        r"\binvalid (?:cron|schedule)|\bcron expression\b|\bschedule expression\b",
        C.CONFIGURATION,
        confidence=0.8,
    ),
    make_rule(
        "configuration.environment",
        r"\bModuleNotFoundError\b|\bNo module named\b|\bImportError\b|Cannot find module '"
        r"|\bcommand not found\b|is not recognized as an internal or external command"
        r"|\bImproperlyConfigured\b|\bmisconfigur\w*|\b(?:missing|invalid|malformed|bad) "
        r"(?:configuration|config|settings?)\b|\bconfiguration error\b|\bredirect_uri_mismatch\b"
        r"|\bENOENT\b|No such file or directory|\bExec format error\b",
        C.CONFIGURATION,
        confidence=0.8,
    ),
)

CONNECTIVITY_RULES: tuple[ErrorRule, ...] = (
    make_rule(
        "connectivity.tls",
        r"certificate verify failed|\bCERTIFICATE_VERIFY_FAILED\b|\bSSLError\b|\bSSL routines\b"
        r"|\b(?:ssl|tls)(?:/tls)? handshake\b|self[- ]signed certificate|unable to (?:get|verify) "
        r"(?:the )?(?:local )?(?:issuer )?certificate|certificate (?:has )?expired|\bCERT_\w+"
        r"|UNABLE_TO_VERIFY_LEAF_SIGNATURE|hostname mismatch|\bERR_TLS\w*|\bx509:"
        r"|SSLHandshakeException"
        r"|PKIX path building failed|wrong version number",
        C.CONNECTIVITY,
        severity=Severity.HIGH,
        retryable=False,
        replay_safety=ReplaySafety.UNSAFE_UNTIL_FIXED,
        confidence=0.9,
    ),
    make_rule(
        "connectivity.refused",
        r"\bECONNREFUSED\b|connection refused|actively refused|\bErrno 111\b|ConnectionRefused\w*",
        C.CONNECTIVITY,
        confidence=0.95,
    ),
    make_rule(
        "connectivity.dns",
        r"\bENOTFOUND\b|\bEAI_AGAIN\b|\bgetaddrinfo\b|name or service not known"
        r"|nodename nor servname"
        r"|temporary failure in name resolution|could not resolve (?:host|hostname|address)"
        r"|\bno such host\b|\bNameResolutionError\b|\bunknown host\b|\bUnknownHostException\b"
        r"|\bDNS\b[^\n]{0,20}(?:resolution|lookup|failure|failed)|failed to resolve",
        C.CONNECTIVITY,
        confidence=0.95,
    ),
    # The request may have reached the service before the connection broke.
    make_rule(
        "connectivity.reset",
        r"\bECONNRESET\b|connection (?:was )?reset|reset by peer|broken pipe|\bEPIPE\b"
        r"|socket hang up"
        r"|connection aborted|\bECONNABORTED\b|\bRemoteDisconnected\b|server closed the connection"
        r"|connection closed by (?:remote|peer|foreign)|closed (?:the )?connection unexpectedly"
        r"|\bIncompleteRead\b|unexpected EOF",
        C.CONNECTIVITY,
        replay_safety=ReplaySafety.MAY_DUPLICATE_WRITES,
        confidence=0.9,
    ),
    make_rule(
        "connectivity.proxy",
        r"\bproxy error\b|\bProxyError\b|proxy authentication required|tunnel connection failed"
        r"|" + status_pattern(407),
        C.CONNECTIVITY,
        confidence=0.85,
    ),
    # HTTP clients report status 0 when no response came back at all (DNS, TLS, refused, CORS):
    # the request never got an answer from the service, so it is the network, not the vendor.
    make_rule(
        "connectivity.no_response",
        r"\b(?:http status(?: code)?|status ?code|response ?code)[\s:=#\[(]{0,3}0\b(?![.,\d])",
        C.CONNECTIVITY,
        confidence=0.75,
    ),
    make_rule(
        "connectivity.unreachable",
        r"\bEHOSTUNREACH\b|\bENETUNREACH\b|\bEHOSTDOWN\b|no route to host|network is unreachable"
        r"|host (?:is )?unreachable|failed to establish a new connection|\b(?:could not|couldn't"
        r"|can'?t|cannot|unable to|failed to) connect\b|\bconnection (?:error|failed|failure)\b"
        r"|\bConnectionError\b|\bConnectError\b|\bfetch failed\b|failed to fetch\b"
        r"|\bnetwork (?:error|failure)\b|\bNetworkError\b|\bERR_NETWORK\b|\bsocket error\b",
        C.CONNECTIVITY,
        confidence=0.75,
    ),
)
