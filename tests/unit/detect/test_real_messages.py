"""The classifier on real error messages it was not built from.

Each message below was copied from a public GitHub issue (URL next to it): none is a knowledge-base
example and none comes from the benchmark set, so passing here shows the signatures and rules
generalise beyond the texts they were written against. ``platform`` is asserted only where the
message itself names the platform; ``None`` there means "not asserted".
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

from flowdoctor.detect.classifier import default_classifier
from flowdoctor.detect.knowledge import load_knowledge_base
from flowdoctor.domain import IssueCategory

C = IssueCategory


class RealMessage(NamedTuple):
    text: str
    category: IssueCategory
    platform: str | None


REAL_MESSAGES: list[RealMessage] = [
    # https://github.com/brettwooldridge/HikariCP/issues/1951
    RealMessage(
        "[HikariPool-1 housekeeper] WARN com.zaxxer.hikari.pool.HikariPool - Hika"
        "riPool-1 - Thread starvation or clock leap detected (housekeeper delta=4"
        "7s466ms577µs431ns).",
        C.PERFORMANCE,
        None,
    ),
    # https://github.com/agronholm/apscheduler/issues/182
    RealMessage(
        '2017-01-16 11:35:01,380 WARNING Run time of job "NewStockPurchaseJob (tr'
        "igger: cron[year='*', month='*', day='*', week='*', day_of_week='mon-fri"
        "', hour='11', minute='35', second='0'], next run at: 2017-01-16 11:35:00"
        ' CST)" was missed by 0:00:01.209054',
        C.PERFORMANCE,
        None,
    ),
    # https://github.com/skyzeio/Skyze/issues/41
    RealMessage(
        'WARNING:apscheduler.executors.default:Run time of job "cryptopia_hourly_'
        "update (trigger: cron[day_of_week='mon-sun', hour='0-23'], next run at: "
        '2017-10-11 17:00:00 AEDT)" was missed by 0:19:44.892788',
        C.PERFORMANCE,
        None,
    ),
    # https://github.com/slackapi/bolt-js/issues/1196
    RealMessage(
        "[ERROR]   An incoming event was not acknowledged within 3 seconds. Ensur"
        "e that the ack() argument is called in a listener.",
        C.TIMEOUT,
        "slack",
    ),
    # https://github.com/elastic/elasticsearch/issues/23928
    RealMessage(
        "[2017-04-05T19:19:12,858][WARN ][o.e.m.j.JvmGcMonitorService] [xp-1] [gc"
        "][3434] overhead, spent [1.4s] collecting in the last [1.8s]",
        C.PERFORMANCE,
        "elasticsearch",
    ),
    # https://github.com/ICIJ/datashare/issues/31
    RealMessage(
        "[2019-01-11T17:18:55,167][INFO ][o.e.m.j.JvmGcMonitorService] [DfhKXPP] "
        "[gc][young][5332][98] duration [726ms], collections [1]/[1s], total [726"
        "ms]/[9.5s], memory [459.3mb]->[384.4mb]/[1007.3mb]",
        C.PERFORMANCE,
        "elasticsearch",
    ),
    # https://github.com/BurntSushi/nfldb/issues/245
    RealMessage(
        'psycopg2.OperationalError: FATAL:  password authentication failed for user "nfldb"',
        C.PERMISSIONS,
        "postgresql",
    ),
    # https://github.com/mapbox/osm-boundaries/issues/4
    RealMessage(
        "psycopg2.OperationalError: fe_sendauth: no password supplied",
        C.CONFIGURATION,
        "postgresql",
    ),
    # https://github.com/MichaelAquilina/S4/issues/58
    RealMessage(
        "botocore.errorfactory.NoSuchBucket: An error occurred (NoSuchBucket) whe"
        "n calling the ListObjectsV2 operation: The specified bucket does not exi"
        "st",
        C.CONFIGURATION,
        "aws_s3",
    ),
    # https://github.com/aws/aws-sdk-java/issues/1874
    RealMessage(
        "The specified bucket does not exist. (Service: Amazon S3; Status Code: 4"
        "04; Error Code: NoSuchBucket; Request ID: 2870868836",
        C.CONFIGURATION,
        "aws_s3",
    ),
    # https://github.com/frekele/helicopterizer/issues/13
    RealMessage(
        "A client error (NoSuchBucket) occurred when calling the PutObject operat"
        "ion: The specified bucket does not exist",
        C.CONFIGURATION,
        "aws_s3",
    ),
    # https://github.com/boto/boto3/issues/2559
    RealMessage(
        "boto3.exceptions.S3UploadFailedError: Failed to upload req.txt to test/r"
        "eq.txt: An error occurred (404) when calling the PutObject operation: No"
        "t Found",
        C.CONFIGURATION,
        "aws_s3",
    ),
    # https://github.com/czbiohub-sf/Rapid-QC-MS/issues/82
    RealMessage(
        "Slack API error: The request to the Slack API failed. (url: https://www."
        "slack.com/api/chat.postMessage)\nThe server responded with: {'ok': False,"
        " 'error': 'channel_not_found'}",
        C.CONFIGURATION,
        "slack",
    ),
    # https://github.com/ikechan8370/chatgpt-plugin/issues/427
    RealMessage(
        "[ERRO] Error: An API error occurred: channel_not_found",
        C.CONFIGURATION,
        "slack",
    ),
    # https://github.com/rhubarbgroup/redis-cache/issues/530
    RealMessage(
        "RedisException: OOM command not allowed when used memory > 'maxmemory'. "
        "in /opt/webroot/wp-content/object-cache.php:2212",
        C.RESOURCE,
        "redis",
    ),
    # https://github.com/redis/redis/issues/106
    RealMessage(
        "(error) ERR command not allowed when used memory > 'maxmemory'",
        C.RESOURCE,
        "redis",
    ),
    # https://github.com/beego/beego/issues/4238
    RealMessage(
        "Error 1205: Lock wait timeout exceeded; try restarting transaction",
        C.TIMEOUT,
        "mysql",
    ),
    # https://github.com/cakephp/cakephp/pull/10968
    RealMessage(
        "SQLSTATE[HY000]: General error: 1205 Lock wait timeout exceeded; try res"
        "tarting transaction",
        C.TIMEOUT,
        "mysql",
    ),
    # https://github.com/alexa-samples/skill-sample-nodejs-smarthome-switch/issues/18
    RealMessage(
        "2020-11-10T05:46:57.874Z 160788cd-45ff-4583-809f-c7e31127cb95 Task timed"
        " out after 3.07 seconds",
        C.TIMEOUT,
        "aws_lambda",
    ),
    # https://github.com/stanford-crfm/helm/issues/97
    RealMessage(
        "OpenAI error: Rate limit reached for tokens. Limit: 150000.000000 / min."
        " Current: 176000.000000 / min. Contact support@openai.com if you continu"
        "e to have issues.",
        C.RESOURCE,
        "openai",
    ),
    # https://github.com/phodal/auto-dev/issues/21
    RealMessage(
        "com.theokanning.openai.OpenAiHttpException: Rate limit reached for defau"
        "lt-gpt-3.5-turbo in organization org-lpTV8JA1Fonfq3PljHSxtabv on request"
        "s per min. Limit: 3 / min. Please try again in 20s.",
        C.RESOURCE,
        "openai",
    ),
    # https://github.com/Pythagora-io/gpt-pilot/pull/53
    RealMessage(
        'API responded with status code: 429. Response text: {"error": {"message"'
        ': "Rate limit reached for 10KTPM-200RPM in organization org-OASFC7k1Ff5I'
        "zueeLArhQtnT on tokens per min. Limit: 10000 / min. Please try again in "
        '6ms.", "type": "tokens", "param": null, "code": "rate_limit_exceeded"}}',
        C.RESOURCE,
        None,
    ),
    # https://github.com/vassim/linuxacademy-dl/issues/48
    RealMessage(
        "ERROR    HTTPSConnectionPool(host='linuxacademy.com', port=443): Max ret"
        "ries exceeded with url: /cp/login/quit (Caused by NewConnectionError('<r"
        "equests.packages.urllib3.connection.VerifiedHTTPSConnection object at 0x"
        "7fe20423a400>: Failed to establish a new connection: [Errno -2] Name or "
        "service not known',))",
        C.CONNECTIVITY,
        None,
    ),
    # https://github.com/psf/requests/issues/4453
    RealMessage(
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host=hostname, "
        "port=443): Max retries exceeded with url: /myurl (Caused by NewConnectio"
        "nError('<urllib3.connection.VerifiedHTTPSConnection object at 0x10a85761"
        "0>: Failed to establish a new connection: [Errno 8] nodename nor servnam"
        "e provided, or not known',))",
        C.CONNECTIVITY,
        None,
    ),
    # https://github.com/cnodejs/nodeclub/issues/265
    RealMessage(
        "MongoError: E11000 duplicate key error index: b2urh52bh95t.users.$email_"
        "1  dup key: { : null }",
        C.DATA,
        "mongodb",
    ),
    # https://github.com/virtool/virtool/issues/695
    RealMessage(
        "DuplicateKeyError: E11000 duplicate key error collection: virtool.indexe"
        "s index: version_1 dup key: { : 0 }",
        C.DATA,
        "mongodb",
    ),
    # https://github.com/fountainhead/action-wait-for-check/issues/30
    RealMessage(
        "Error: API rate limit exceeded for installation ID 8440595",
        C.RESOURCE,
        None,
    ),
    # https://github.com/laws-africa/indigo/issues/791
    RealMessage(
        "googleapiclient.errors.HttpError: <HttpError 403 when requesting https:/"
        "/sheets.googleapis.com/v4/spreadsheets/18yABnIkTo6a5lojc2KtOS69qly5xRg6_"
        'fg8hwiMi8u8?alt=json returned "The caller does not have permission">',
        C.PERMISSIONS,
        "google_sheets",
    ),
    # https://github.com/theoephraim/node-google-spreadsheet/issues/562
    RealMessage(
        "Error: Google API error - [403] The caller does not have permission",
        C.PERMISSIONS,
        None,
    ),
    # https://github.com/axios/axios/issues/996
    RealMessage(
        "Error: read ECONNRESET\n    at exports._errnoException (util.js:1022:11)\n"
        "    at TCP.onread [as _originalOnread] (net.js:572:26)",
        C.CONNECTIVITY,
        None,
    ),
    # https://github.com/godaddy/node-cluster-service/issues/69
    RealMessage(
        "cservice:  Running remote command: http://localhost:11987/cli?cmd=restar"
        "t%20all\n{ [Error: socket hang up] code: 'ECONNRESET' }",
        C.CONNECTIVITY,
        None,
    ),
    # https://github.com/pinax/pinax-stripe-light/issues/7
    RealMessage(
        "stripe.InvalidRequestError\nInvalidRequestError: No such customer: cus_xxxxxxxxxxxxxx",
        C.DATA,
        "stripe",
    ),
    # https://github.com/redwoodjs/example-store-stripe/pull/168
    RealMessage(
        '{"error": {"code": "resource_missing", "doc_url": "https://stripe.com/do'
        'cs/error-codes/resource-missing", "message": "No such customer: \'5\'", "p'
        'aram": "customer", "type": "invalid_request_error"}}',
        C.DATA,
        "stripe",
    ),
    # https://github.com/ankaboot-source/leadminer/issues/476
    RealMessage(
        "Error [ERR_WORKER_OUT_OF_MEMORY]: Worker terminated due to reaching memo"
        "ry limit: JS heap out of memory",
        C.RESOURCE,
        None,
    ),
    # https://github.com/VeriBlock/nodecore-releases/issues/119
    RealMessage(
        "The nodecore just crashed with error:\njava.lang.OutOfMemoryError: Java heap space",
        C.RESOURCE,
        None,
    ),
    # https://github.com/awslabs/aws-lambda-redshift-loader/issues/80
    RealMessage(
        "REPORT RequestId: b47cde10-029a-11e6-b5d6-1f01b70b94b2  Duration: 120000"
        ".64 ms  Billed Duration: 120000 ms Memory Size: 128 MB  Max Memory Used:"
        " 23 MB\n2016-04-14T23:52:45.715Z b47cde10-029a-11e6-b5d6-1f01b70b94b2 Tas"
        "k timed out after 120.00 seconds",
        C.TIMEOUT,
        "aws_lambda",
    ),
    # https://github.com/redu/redu/issues/1572
    RealMessage(
        "Mysql2::Error: Lock wait timeout exceeded; try restarting transaction: U"
        "PDATE `courses` SET `subscription_type` = 2 WHERE `courses`.`id` = 2074",
        C.TIMEOUT,
        "mysql",
    ),
    # https://github.com/drastik/com.drastikbydesign.stripe/issues/49
    RealMessage(
        "No such customer: cus_4cZVRZAFBY0NUj; a similar object exists in test mo"
        "de, but a live mode key was used to make this request.",
        C.CONFIGURATION,
        "stripe",
    ),
    # https://github.com/s3tools/s3cmd/issues/1149
    RealMessage(
        "ERROR: S3 error: 404 (NoSuchKey)",
        C.DATA,
        "aws_s3",
    ),
    # https://github.com/IBM/ibm-cos-sdk-js/issues/65
    RealMessage(
        "NoSuchKey: An error occurred (NoSuchKey) when calling the PutObject oper"
        "ation: The specified key does not exist.",
        C.DATA,
        None,
    ),
]


@pytest.mark.parametrize("message", REAL_MESSAGES, ids=lambda m: m.text[:40])
def test_real_message_is_classified(message: RealMessage) -> None:
    verdict = default_classifier().classify(message.text)
    assert verdict.category is message.category, (verdict.rule_id, verdict.evidence)
    if message.platform is not None:
        assert verdict.platform == message.platform, (verdict.rule_id, verdict.evidence)


def test_real_messages_are_not_knowledge_base_examples() -> None:
    examples = {example for sig in load_knowledge_base().signatures() for example in sig.examples}
    copied = [message.text for message in REAL_MESSAGES if message.text in examples]
    assert copied == []


def test_enough_real_messages_across_categories() -> None:
    assert len(REAL_MESSAGES) >= 40
    assert len({message.category for message in REAL_MESSAGES}) >= 7
