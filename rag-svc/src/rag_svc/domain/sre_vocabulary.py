"""On-call shorthand spelled out: `OOM`, `5xx`, `p99`, `conn`, `cert`, `k8s` -> the words runbooks use.

Alerts and chat messages abbreviate; runbooks are written out (or the other way round). A query
gains the spelled-out form of each shorthand it contains (never loses a word), so both the
full-text OR-query and the embedding see the vocabulary of the runbook. The table is general
operations vocabulary, not phrases from any one corpus; an entry earns its place when the two
forms are interchangeable in an incident.
"""

from __future__ import annotations

import re

# word (lower case, as split from identifiers) -> what it stands for
ABBREVIATIONS: dict[str, str] = {
    "oom": "out of memory",
    "oomkilled": "out of memory killed",
    "ooms": "out of memory",
    "oomkill": "out of memory killed",
    "oomkiller": "out of memory killer",
    "mem": "memory",
    "rss": "memory",
    "gc": "garbage collection",
    "jvm": "java",
    "fd": "file descriptor",
    "fds": "file descriptors",
    "ulimit": "open files limit",
    "nofile": "open files limit",
    "emfile": "too many open files",
    "enospc": "no space left on device",
    "econnrefused": "connection refused",
    "econnreset": "connection reset",
    "etimedout": "connection timed out",
    "eai_again": "dns name resolution failure",
    "nxdomain": "dns name does not exist",
    "servfail": "dns server failure",
    "gaierror": "dns name resolution error",
    "getaddrinfo": "dns name resolution",
    "resolver": "dns",
    "sigkill": "killed",
    "sigterm": "terminated",
    "conn": "connection",
    "conns": "connections",
    "db": "database",
    "dbs": "databases",
    "pg": "postgres",
    "psql": "postgres",
    "postgresql": "postgres",
    "rds": "database",
    "aurora": "database",
    "txn": "transaction",
    "xact": "transaction",
    "repl": "replication",
    "replica": "replication",
    "idx": "index",
    "seqscan": "sequential scan",
    "k8s": "kubernetes",
    "kube": "kubernetes",
    "kubelet": "kubernetes node",
    "gke": "kubernetes",
    "eks": "kubernetes",
    "aks": "kubernetes",
    "hpa": "horizontal pod autoscaler",
    "pvc": "persistent volume claim",
    "pv": "persistent volume",
    "ebs": "volume",
    "crashloop": "crash loop",
    "crashlooping": "crash looping",
    "cronjob": "scheduled job",
    "cron": "scheduled job",
    "lb": "load balancer",
    "alb": "load balancer",
    "elb": "load balancer",
    "nlb": "load balancer",
    "tg": "target group",
    "cert": "certificate",
    "certs": "certificates",
    "ssl": "tls certificate",
    "tls": "certificate",
    "x509": "certificate",
    "mtls": "certificate",
    "creds": "credentials",
    "cred": "credential",
    "passwd": "password",
    "pwd": "password",
    "auth": "authentication",
    "authn": "authentication",
    "authz": "authorization",
    "jwt": "token",
    "jwks": "token signing keys",
    "iam": "permissions",
    "cfg": "configuration",
    "conf": "configuration",
    "config": "configuration",
    "configmap": "configuration",
    "toggle": "feature flag",
    "flag": "feature flag",
    "deploy": "deployment release",
    "rollout": "deployment",
    "release": "deployment",
    "canary": "deployment",
    "dlq": "dead letter queue",
    "mq": "message queue",
    "rabbit": "rabbitmq",
    "amqp": "rabbitmq",
    "msk": "kafka",
    "ddb": "dynamodb",
    "dynamo": "dynamodb",
    "memcache": "memcached",
    "gha": "github actions",
    "asg": "auto scaling group",
    "sqs": "queue",
    "es": "elasticsearch",
    "opensearch": "elasticsearch",
    "s3": "object storage bucket",
    "gcs": "object storage bucket",
    "ntp": "clock time",
    "chrony": "clock time",
    "chronyd": "clock time",
    "rps": "requests per second traffic",
    "qps": "requests per second traffic",
    "ddos": "attack traffic",
    "slo": "service level objective",
    "apdex": "response time latency",
    "p50": "latency",
    "p90": "latency",
    "p95": "latency",
    "p99": "latency",
    "p999": "latency",
    "fs": "filesystem",
    "inode": "filesystem",
    "inodes": "filesystem",
    "iops": "disk",
    "wal": "write ahead log",
    "xlog": "write ahead log",
    "err": "error",
    "errs": "errors",
    "svc": "service",
    "img": "image",
}
# multi-word phrases -> the shorthand runbooks and alerts use for them
PHRASES: dict[str, str] = {
    "out of memory": "oom",
    "too many requests": "429 rate limit",
    "rate limit": "429",
    "rate limited": "429",
    "no space left": "disk full",
    "disk full": "no space left",
    "exit code 137": "oomkilled",
    "exit 137": "oomkilled",
    "too many open files": "file descriptors",
    "too many connections": "connection limit",
    "too many clients": "connection limit",
    "name resolution": "dns",
    "no such host": "dns name resolution",
    "garbage collection": "gc",
    "feature flag": "configuration change",
    "roll back": "rollback",
}
_HTTP_STATUS = re.compile(r"(?<![\w.%:/-])([45])\d\d(?![\w%.:/-])")
_STATUS_WORDS = {
    "429": "rate limit too many requests",
    "401": "unauthorized authentication",
    "403": "forbidden",
    "502": "bad gateway",
    "503": "service unavailable",
    "504": "gateway timeout",
}
_WORD = re.compile(r"[a-z0-9_]+")
# A resolver address (`lookup db on 10.96.0.10:53`, `coredns:53`): a log line about a DNS query,
# whichever words the client library wraps around it (`i/o timeout`, `connection refused`).
_DNS_QUERY = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}:53\b|[a-z][\w-]*:53\b")


def shorthand_expansions(text: str) -> list[str]:
    """Spelled-out forms for the shorthand in `text` (lower-cased words and phrases), no repeats."""
    lowered = text.lower()
    words = _WORD.findall(lowered)
    out: dict[str, None] = {}
    for word in words:
        if word in ABBREVIATIONS:
            out.setdefault(ABBREVIATIONS[word], None)
    joined = " ".join(words)
    for phrase, shorthand in PHRASES.items():
        if re.search(rf"\b{phrase}\b", joined):
            out.setdefault(shorthand, None)
    if _DNS_QUERY.search(lowered):
        out.setdefault("dns name resolution", None)
    for match in _HTTP_STATUS.finditer(lowered):
        code = match.group(0)
        out.setdefault(f"{match.group(1)}xx", None)
        if code in _STATUS_WORDS:
            out.setdefault(_STATUS_WORDS[code], None)
    return [e for e in out if e not in words or " " in e]
