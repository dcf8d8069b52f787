"""On-call shorthand spelled out, and identifiers split the same way in queries and indexed chunks."""

from __future__ import annotations

import pytest
from rag_svc.domain.identifiers import fulltext_input, identifier_words
from rag_svc.domain.query import search_terms
from rag_svc.domain.sre_vocabulary import shorthand_expansions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pod OOMKilled again", "out of memory killed"),
        ("oom on the indexer", "out of memory"),
        ("Memory cgroup out of memory: Killed process 4121", "oom"),
        ("p99 up on checkout", "latency"),
        ("conn pool exhausted on prod db", "connection"),
        ("conn pool exhausted on prod db", "database"),
        ("cert expired on api", "certificate"),
        ("k8s node flapping", "kubernetes"),
        ("lots of 504 from the ingress", "5xx"),
        ("lots of 504 from the ingress", "gateway timeout"),
        ("stripe answers 429", "rate limit too many requests"),
        ("too many requests from the maps API", "429 rate limit"),
        ("process fds near limit", "file descriptors"),
        ("dlq depth growing", "dead letter queue"),
    ],
)
def test_shorthand_gains_its_spelled_out_form(text: str, expected: str) -> None:
    assert expected in shorthand_expansions(text)


@pytest.mark.parametrize(
    "text",
    [
        "lag=500000 on group indexer",  # not a status code
        "retained WAL 412GB",
        "error ratio 5.03%",
        "listening on 10.0.0.1:503",
        "disk 95% full",
    ],
)
def test_numbers_that_are_not_http_status_codes_are_not_expanded(text: str) -> None:
    assert not {e for e in shorthand_expansions(text) if e.endswith("xx")}


@pytest.mark.parametrize(
    "text",
    [
        "dial tcp: lookup orders-db.internal on 10.96.0.10:53: i/o timeout",
        "read udp 10.0.0.5:41234->10.0.0.2:53: i/o timeout",
        "dial tcp: lookup api.stripe.com: no such host",
    ],
)
def test_a_query_sent_to_a_resolver_is_recognised_as_dns(text: str) -> None:
    assert "dns name resolution" in shorthand_expansions(text)


@pytest.mark.parametrize("text", ["restarted at 10:53 after the deploy", "listening on 10.0.0.1:5353"])
def test_times_and_other_ports_ending_in_53_are_not_dns(text: str) -> None:
    assert "dns name resolution" not in shorthand_expansions(text)


def test_expansions_never_repeat_a_word_the_query_already_has() -> None:
    assert shorthand_expansions("database db") == []
    assert shorthand_expansions("plain words about nothing") == []


def test_search_terms_include_expansions_as_separate_words() -> None:
    terms = search_terms("HTTP 503 on cart, p99 2s")
    assert {"5xx", "service", "unavailable", "latency", "http", "cart"} <= set(terms)
    assert "503" not in terms  # bare numbers match too much


def test_identifier_words_skip_numbers_and_single_words() -> None:
    assert identifier_words("KubePodCrashLooping on 10.0.3.17 at 10:40 in pod api") == [
        "kube pod crash looping"
    ]
    assert identifier_words("max.poll.interval.ms exceeded") == ["max poll interval ms"]


def test_fulltext_input_adds_words_postgres_would_index_whole() -> None:
    text = "Reason: OOMKilled; raise max.poll.interval.ms; see process_open_fds and ingress-nginx."
    extended = fulltext_input(text)
    assert extended.startswith(text)
    added = extended[len(text) :].split()
    assert added == ["oom", "killed", "max", "poll", "interval", "ms"]  # `_` and `-` PostgreSQL splits itself
    assert fulltext_input("plain words only") == "plain words only"
