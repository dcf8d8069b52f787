"""The offline router's vocabulary: weighted phrase rules per sub-agent, read over normalised text
(textnorm.normalise: lowercase, abbreviations expanded, typos corrected).

A rule adds weight to agents; a few subtract where a word means another agent's thing in context
("review latency" is not an alert, "MTTR for incidents" is a metrics question, "ops review" is not
code review). Weights: 4 names the agent's subject, 3 is strong evidence, 2 is evidence on its
own (SELECT_AT), 1 only tips a question that is otherwise unclear.
"""

from __future__ import annotations

import re

_R = re.compile
Rule = tuple[re.Pattern[str], dict[str, float]]

METRICS: list[Rule] = [
    (_R(r"\bdora\b|\bfour key"), {"metrics": 4}),
    (
        _R(
            r"(?:deploy|release|ship|rollout)(?:ment|ing)?s?\s+(?:frequency|count|rate|cadence|volume)|"
            r"how (?:often|frequently|many times)\b.*\b(?:deploy|ship|release)|(?:release|ship(?:ping)?|deploy) "
            r"(?:frequency|cadence|rate)|frequency of (?:deploy|release|shipping)"
        ),
        {"metrics": 4},
    ),
    (
        _R(
            r"\blead[- ]?times?\b|time to (?:production)|(?:reach|get|go|land)(?:es|s|ing)? (?:to |in(?:to)? )?"
            r"production|(?:commit|merge|merged?) to (?:deploy|production|release)"
        ),
        {"metrics": 4},
    ),
    (
        _R(
            r"change[- ]fail|failure rate|rollback rate|failed (?:deploy|deployment|release|change)s?|"
            # Rework rate: the fifth DORA figure (2024), which the metrics module reports (docs/metrics.md).
            r"\brework (?:rate|ratio)s?\b|\b(?:deploy|deployment) rework\b|"
            r"(?:deploy|deployment|release|change)s? (?:that )?(?:failed|were rolled back|caused (?:a )?failures?)|"
            r"\brollbacks?\b"
        ),
        {"metrics": 4},
    ),
    # the change failure rate in plain words: counting or sharing out the deploys that went wrong
    (
        _R(
            r"(?:how many|what (?:%|percent(?:age)?|share|fraction|proportion|portion) of|number of) (?:our |the )?"
            r"(?:deploy\w*|releases?|changes?|rollouts?)\b[^.?!]{0,30}?\b(?:broke|break|caused|fail\w*|needed|"
            r"required|had to be|went wrong|rolled back)"
        ),
        {"metrics": 4, "incident": -2},
    ),
    (
        _R(
            r"\bmttr\b|\bmttd\b|mean time to|time to (?:restore|recover|resolve|repair|acknowledge|detect)|"
            r"(?:recovery|resolution|restoration) times?|"
            r"how (?:long|quickly|fast) (?:do|did|does) (?:we|it take to) (?:restore|recover|resolve)"
        ),
        {"metrics": 4, "incident": -2},
    ),
    (
        _R(
            r"cycle[- ]times?|throughput|velocity|flow (?:metrics|efficiency)|work in progress|\bwip\b|"
            r"delivery (?:speed|performance|metrics|health)|engineering (?:metrics|performance|productivity)|"
            r"productivity|how fast (?:do|does|are|is) (?:we|the team|our team|\w+ team) (?:ship|deliver)|"
            r"(?:work ?item|ticket|item|issue|story|task) age\b|\baging (?:wip|work|tickets?|items?|stories|issues)|"
            r"\b(?:team|engineering|org) health\b"
        ),
        {"metrics": 3},
    ),
    # throughput and work in progress said with the tracker's words ("tickets closed", "sat in progress")
    (
        _R(
            r"\b(?:tickets?|stor(?:y|ies)|work ?items?|(?<!action )(?<!follow-up )items?|tasks?|cards?|epics?|story points)\b"
            r"[^.?!]{0,30}?"
            r"\b(?:in[- ]progress|closed?|closing|finish(?:ed)?|complet(?:e|ed)|done|delivered)\b|"
            r"\b(?:been|sit|sits|sitting|sat|stuck|stay|stays) in[- ]progress\b|"
            r"\bin[- ]progress (?:tickets?|stor(?:y|ies)|work ?items?|items?|tasks?|cards?|epics?|work)\b"
        ),
        {"metrics": 3},
    ),
    # a trend of one of our figures, not a service going down
    (
        _R(
            r"\b(?:coverage|throughput|velocity|frequency|cycle time|lead time|deploy\w*|releases|wip|"
            r"work in progress|success rate|pass rate|quality)\b[^.?!]{0,30}?\b(?:went|go(?:es|ing)?|is|are|was|"
            r"were|has gone|have gone) (?:way )?(?:up|down)\b"
        ),
        {"metrics": 1, "incident": -3},
    ),
    # delivery as a team's output ("how is the team doing on delivery"), not a delivery service
    (
        _R(
            r"(?:\bon|\bour|\bteam'?s?|\bin) delivery\b(?![- ](?:service|svc|api|app|queue|worker|pipeline|fail|error))"
        ),
        {"metrics": 2},
    ),
    # PR cycle, merge and review times belong to the review agent (it reads the same flow figures).
    (
        _R(
            r"(?:\bpr|pull request|merge request|\bmr|review)s? (?:cycle|lead|merge|wait|turnaround)[- ]?times?"
        ),
        {"metrics": -3},
    ),
    (
        _R(
            r"\b(?:deploys?|deployments?|deployed|deploying|releases?|released|ship|ships|shipped|shipping|rollouts?)\b"
        ),
        {"metrics": 2},
    ),
    (
        _R(
            r"\b(?:metrics?|kpis?|trends?|trending|stats|statistics|numbers|figures|dashboard|benchmark|"
            r"elite|percentiles?|p50|p75|p90|p95|median|average|improv(?:e|ed|ing)|regress(?:ed|ing|ion)?|"
            r"slow(?:er|ing)? down|faster|slower)\b"
        ),
        {"metrics": 1},
    ),
    (_R(r"\b(?:builds?|pipelines?|ci|ci/cd|test suites?)\b"), {"metrics": 2}),
    # a red build is build health, not a production incident
    (
        _R(
            r"\b(?:tests?|builds?|pipelines?|ci|checks?|jobs?|main|master|trunk) (?:is |are |keeps? |kept )?"
            r"(?:failing|failed|red|broken|flaky|timing out)"
        ),
        {"metrics": 3, "incident": -2},
    ),
    (_R(r"\bhot-?fix(?:es)?\b"), {"metrics": 1}),
    (
        _R(
            r"\b(?:test )?coverage\b|quality gates?|\bflak\w*|test (?:pass|failure|run)|"
            r"code quality|tech(?:nical)? debt|\bsonar\w*|static analysis|code smells?|"
            r"build (?:time|duration|success|failure|health)s?|(?:red|green|broken) builds?|bug (?:rate|count)s?|"
            r"escaped defects?|defect rate"
        ),
        {"metrics": 3},
    ),
]

INCIDENT: list[Rule] = [
    (_R(r"\bincidents?\b|\binc-?\d+"), {"incident": 4}),
    (
        _R(
            r"\b(?:outages?|downtime|degraded|degradation|unavailable|unreachable|disruption)\b|"
            r"\b(?:is|are|was|were|went|goes|going)\s+(?:\S+\s+){0,3}?(?<!slowing )(?<!slow )(?<!broken )(?<!cut )"
            r"(?<!break )(?<!narrow )down\b(?!\s+(?:by|to|per|from|into))"
        ),
        {"incident": 4},
    ),
    (
        _R(
            r"\b(?:alerts?|alerting|alarms?|paged|paging|pages|pager(?:duty)?|opsgenie|on[- ]?call|firing|"
            r"incident commander|war ?room|status ?page)\b"
        ),
        {"incident": 4},
    ),
    (_R(r"\bsev(?:erity)?[- ]?[0-4]\b|\bp[0-4]\b|\bseverity\b"), {"incident": 4}),
    (
        _R(r"post[- ]?mortems?|post[- ]incident|root[- ]cause|\brca\b|blameless|what went wrong"),
        {"incident": 4},
    ),
    (
        _R(
            r"\b(?:runbooks?|playbooks?)\b|how (?:do|to|should|can) (?:i|we|you)?\s*(?:fix|mitigate|recover|restart|"
            r"roll ?back|handle|debug|troubleshoot|failover|drain|rotate)"
        ),
        {"incident": 4},
    ),
    # past incidents and known problems
    (
        _R(
            r"seen (?:this |it |that |anything like (?:this|that) )?before|happened before|"
            # "have we seen 'connection refused' before": the quote is an error message
            r"\bseen [\"'`][^\"'`]{3,}[\"'`]|known (?:issue|problem|bug)s?|"
            r"similar (?:issue|problem|error|failure|alert|outage)s?"
        ),
        {"incident": 3},
    ),
    # symptoms of something broken in production
    (
        _R(
            r"error rate|\berrors?\b|exceptions?\b|\b[45]\d\d\b|\b[45]xx\b|"
            r"(?<!review )(?<!merge )(?<!pr )(?<!pickup )latency (?:spike|alert|is|on|in|for)|"
            r"(?:p9\d|high|elevated|spiking) latency|\bspik(?:e|es|ing)\b|crash(?:ing|ed|es|loop\w*)?|"
            r"broken|\bbroke\b|\bbreak (?:anything|something|production)|\bfailing\b|on fire|\bfires?\b|mitigat|triage|acknowledg|\backed\b|escalat|"
            r"firefight|\bhealthy\b|health of|timeouts?|timing out|time(?:d)? out|not (?:loading|working|responding)|"
            r"can(?:'t|not) (?:log ?in|connect|reach|access)|workaround|remediat|flapping|fail-?over|"
            r"restart(?:ing|ed|s)\b|evicted"
        ),
        {"incident": 2},
    ),
    # "slow" tips an otherwise unclear question to operations ("is checkout slow?"), never more
    (_R(r"\bslow(?:ness)?\b"), {"incident": 1}),
    (
        _R(
            r"\b(?:cpu|memory|oom\w*|out of memory|disk(?: space)?|heap|saturat\w*|throttl\w*|deadlocks?|"
            r"packet loss|dns|certs?|certificate|connection pool|(?:consumer|replication|queue|kafka) lag)\b"
        ),
        {"incident": 3},
    ),
    (
        _R(
            r"what(?:'s| is) (?:going on|happening|wrong)|what happened|what broke|anything (?:broken|wrong|on fire)|"
            r"customers? (?:are |is )?(?:seeing|reporting|complaining|affected|impact)|customer impact|"
            r"\b(?:sla|slo)s? (?:breach|miss|violation)|error budget"
        ),
        {"incident": 3},
    ),
    (
        _R(
            r"\b(?:any|some) (?:issues?|problems?|trouble) (?:with|on|in)\b|(?:issues?|problems?) in production"
        ),
        {"incident": 2},
    ),
    (
        _R(
            r"(?:which|what) (?:deploy|deployment|release|change)\w* (?:caused|broke|triggered)|"
            r"caused (?:the|this|that) (?:outage|incident)"
        ),
        {"incident": 4, "metrics": -2},
    ),
]

REVIEW: list[Rule] = [
    (_R(r"\bpull[- ]requests?\b|\bprs?\b|\bmerge[- ]requests?\b|\bmrs?\b"), {"review": 4}),
    (
        _R(
            r"code[- ]?reviews?|\breviewers?\b|\breviewing\b|review (?:time|latency|queue|load|backlog|turnaround|"
            r"speed|process|comments?|bottleneck|wait|depth|rounds?|cycles?|guidelines?)|waiting (?:for|on) (?:a )?"
            r"review|unreviewed|\bapprov(?:al|als|e|es|ed|er|ers|ing)\b|\brubber[- ]stamp|\blgtm\b|\bptal\b|"
            r"time to (?:first )?(?:review|merge|approval)|(?:pick-?up|merge) time|merge (?:queue|conflicts?)"
        ),
        {"review": 4},
    ),
    (_R(r"\breview(?:s|ed)?\b"), {"review": 2}),
    # "review" as a meeting or a goal check, not a code review
    (
        _R(
            r"\b(?:ops|operations|operational|business|quarterly|monthly|weekly|annual|performance|incident|"
            r"post-incident|design|architecture|security|okr|goal|quarter|sprint) reviews?\b"
        ),
        {"review": -2},
    ),
    (
        _R(
            r"\b(?:diffs?|commits?|merged?|merging|branch(?:es)?|stale|code ?owners?|pairing|nit(?:pick)?s?|rebase)\b"
        ),
        {"review": 1},
    ),
]

OKR: list[Rule] = [
    (_R(r"\bokrs?\b"), {"okr": 5}),
    (_R(r"key[- ]results?|\bkrs?\b|\bobjectives?\b"), {"okr": 4}),
    (
        _R(
            r"\b(?:goals?|targets?|on[- ]track|off[- ]track|at[- ]risk|behind schedule|milestones?|initiatives?|"
            r"commitments?|roadmap|north star|stretch goals?)\b"
        ),
        {"okr": 3},
    ),
    (
        _R(
            r"(?<!in )(?<!in-)progress (?:towards?|on|against)|tracking (?:towards?|against|to)|(?:will|are) we (?:hit|meet|reach|make)|"
            r"going to (?:hit|meet|reach|make)|(?:ahead of|behind) (?:plan|target)"
        ),
        {"okr": 3},
    ),
]

RULES: list[Rule] = [*METRICS, *INCIDENT, *REVIEW, *OKR]

# A time-to-recover metric scoped to incidents ("MTTR for sev2 incidents", "incident MTTR") asks for a
# metric: the incident words only say what it is measured over, so they are dropped before scoring,
# leaving any other part of the question ("...and which incidents are still open") to count.
_RECOVERY_METRIC = (
    r"(?:mttr|mttd|mtta|mean time (?:to|between) \w+|(?:average|median|typical) time to \w+|"
    r"time to (?:restore|recover|resolve|repair|acknowledge|detect|mitigate)|"
    r"(?:recovery|resolution|restoration) times?)"
)
_INCIDENT_SCOPE = r"(?:severity[- ]?\d|sev\d|p\d|incidents?|outages?|pages|alerts?)"
# up to four words naming whose or which incidents ("all of payments' sev1"), never a new clause
_SCOPE_WORDS = r"(?:(?!(?:and|or|plus|also|then|but|which|what|how|list|show|any|are|is)\b)[\w'-]+\s+){0,4}?"
METRIC_SCOPES: list[tuple[re.Pattern[str], str]] = [
    (  # MTTR for/of/across (all sev1) incidents -> MTTR
        _R(
            rf"\b({_RECOVERY_METRIC})\s+(?:(?:for|of|on|from|across|in|per|over)\s+{_SCOPE_WORDS})?"
            rf"{_INCIDENT_SCOPE}(?:\s+{_INCIDENT_SCOPE})*\b"
        ),
        r"\1",
    ),
    (  # sev1 (incident) MTTR -> MTTR
        _R(rf"\b(?:{_INCIDENT_SCOPE}\s+){{1,2}}(?={_RECOVERY_METRIC}\b)"),
        "",
    ),
]

# Requests to rework a piece of text (translate, proofread, rephrase) are language tasks, not questions
# about engineering data, even when the text quoted mentions deploys or incidents; no agent can do them.
TEXT_TASK = _R(
    r"^\W*(?:(?:hey|hi|ok|okay|so)\W+)?(?:(?:can|could|would|will) you |pls |please |plz |help me |quickly )*"
    r"(?:(?:translate|proofread|rephrase|reword|paraphrase|spell-?check)\b|"
    r"(?:fix|correct|check) (?:the |my |this )?(?:grammar|spelling|typos|wording)\b)"
)
