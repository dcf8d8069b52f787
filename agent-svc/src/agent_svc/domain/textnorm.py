"""Chat text as the router's vocabulary spells it: Slack markup and links dropped (not the ids a
link points at), abbreviations expanded ("cfr", "pull reqs", "inc 88"), plural ids singular ("sev1s",
"502s") and one-letter typos of domain words corrected ("incidnet", "reveiw"), so each routing rule
is written once, for the canonical form, and still reads the way people type."""

from __future__ import annotations

import functools
import re


def _words(text: str) -> frozenset[str]:
    """A set of words written as a block of text (long lists read better that way)."""
    return frozenset(text.split())


# Whole-word abbreviations -> what the routing rules match. Only unambiguous ones: "pm"/"pms"
# (post-mortem, product manager, 3pm), "lt", "df" or "perf" mean too many things to expand.
ABBREVIATIONS = {
    "cfr": "change failure rate",
    "ttr": "time to restore",
    "freq": "frequency",
    "freqs": "frequency",
    "req": "request",
    "reqs": "requests",
    "avg": "average",
    "rn": "right now",
    "atm": "right now",
    "yday": "yesterday",
    "wk": "week",
    "wks": "weeks",
    "qtr": "quarter",
    "incs": "incidents",
    "sevs": "severity",
    "sev": "severity",
    "oncall": "on-call",
    "prod": "production",
}

# Domain words a typo is corrected to (forms as the rules spell them). A token is corrected only
# when it is not itself a word here, is long enough, starts with the same letter and is one edit
# away (a transposition only for five letters): enough for real typos, rarely another word.
VOCABULARY = _words(
    """
    deploy deploys deployed deploying deployment deployments release releases released shipping
    frequency change failure failures failed rollback rollbacks restore recovery recover lead cycle
    throughput velocity pipeline pipelines build builds coverage quality flaky flakiness metrics metric
    dora trend trends trending productivity delivery average median percentile statistics numbers
    incident incidents outage outages downtime degraded degradation unavailable alert alerts alerting
    alarms paging pager pagerduty opsgenie severity post-mortem post-mortems postmortem runbook runbooks
    playbook playbooks mitigate mitigation triage acknowledged escalate escalation errors latency
    crashing crashed broken failing timeout timeouts failover restart on-call error
    review reviews reviewed reviewer reviewers reviewing request requests pull merge merged merging
    approval approvals approved approver approvers commits branch branches stale
    objective objectives result results goal goals target targets progress initiative initiatives
    milestone milestones roadmap commitment commitments tracking quarter quarterly
    """
)

# English words one edit away from a domain word, left as typed: a "broker" is not "broken",
# "throughout" is not "throughput". Generated once from Debian's wamerican list against VOCABULARY
# (regenerate when VOCABULARY grows; a unit test checks that no entry is itself a domain word).
PROTECTED = _words(
    """
    acknowledge acknowledges approve approves averaged averages averting averts blanch blanches
    branched broker brunch brunches cashed cashing chance changed changes charge clashed clashing
    commit crashes crushed crushing cycled cycles degrade degrades deliver delivers deplored
    deploring escalated escalates escalations fabled failings falling filing flailed flailing foiled
    foiling medial medians medias merger merges millstone millstones mitigated mitigates number
    outrage outrages pacing pagers paling paring paving pawing paying percentiles postmortems
    qualify quarters quartet recovers remover restarts restored restorer restores shopping sipping
    skipping slipping snipping stable staled staler stales staple statistic tacking tending
    throughout tracing treading treads trendy tricking trucking
    """
)

_MARKUP = re.compile(r"<[@#!][^>]*>|<https?://[^>]*>|https?://\S+|:[a-z0-9_+'-]+:|(?<!\w)@[\w.-]+")
# A link is dropped, but the record it points at stays: ".../pull/812" asks about a pull request,
# ".../INC-77" about an incident, ".../browse/PLAT-9" about a ticket.
_LINKED_IDS = re.compile(
    r"/(pulls?|merge_requests)/(\d+)|(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9]*-\d+)(?![\w-])"
)
_LINKED_KIND = {"pull": "pull request", "pulls": "pull request", "merge_requests": "merge request"}
_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
_ID_PLURAL = re.compile(r"\b(\w*(?:\d|xx))s\b")  # sev1s, p1s, 502s, 5xxs -> sev1, p1, 502, 5xx
_KR_NUMBER = re.compile(r"\bkr(\d+)\b")  # kr2 -> kr 2: key results are numbered
# O1, O2: numbered objectives, read only in capitals ("o1" is as often a model or a big-O)
_OBJECTIVE_NUMBER = re.compile(r"\bO([1-9])\b")
_INC_NUMBER = re.compile(r"\binc(?:ident)?\s*#?\s*(\d+)\b")  # inc 88, inc #88, incident 88 -> inc-88
_WORD = re.compile(r"(?<![\w-])[a-z](?:[a-z'-]*[a-z])?(?![\w-])")


def normalise(text: str) -> str:
    """Lowercase text with markup removed, abbreviations expanded and domain typos corrected."""
    text = _MARKUP.sub(_keep_linked_ids, text.translate(_QUOTES))
    text = _OBJECTIVE_NUMBER.sub(r"objective \1", text).lower()
    text = _ID_PLURAL.sub(r"\1", text)
    text = _KR_NUMBER.sub(r"kr \1", text)
    text = _INC_NUMBER.sub(r"inc-\1", text)
    return _WORD.sub(lambda m: _canonical(m[0]), text)


def _keep_linked_ids(markup: re.Match[str]) -> str:
    """Slack markup or a link as a space, or as the ids of the records a link points at."""
    if not markup[0].lstrip("<").startswith("http"):
        return " "
    ids = [f"{_LINKED_KIND[m[1]]} {m[2]}" if m[1] else m[3] for m in _LINKED_IDS.finditer(markup[0])]
    return f" {' '.join(ids)} " if ids else " "


@functools.lru_cache(maxsize=4096)
def _canonical(word: str) -> str:
    if expanded := ABBREVIATIONS.get(word):
        return expanded
    return correct(word)


def correct(word: str) -> str:
    """The domain word `word` is a typo of, or `word` itself."""
    if len(word) < 5 or word in VOCABULARY or word in PROTECTED:
        return word
    for candidate in _by_initial().get(word[0], ()):
        if abs(len(candidate) - len(word)) > 1:
            continue
        distance = edit_distance(word, candidate)
        if distance == 1 and (len(word) >= 6 or _is_transposition(word, candidate)):
            return candidate
    return word


@functools.cache
def _by_initial() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for word in sorted(VOCABULARY):
        index.setdefault(word[0], []).append(word)
    return {k: tuple(v) for k, v in index.items()}


def _is_transposition(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap two neighbours)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
