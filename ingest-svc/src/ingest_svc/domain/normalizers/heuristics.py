"""Shared reading of free text: ticket keys in PR titles, deploy jobs, environments, rollbacks.

Kept in one place so every vendor answers "is this a deploy?" and "was it a rollback?" the same way.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_TICKET = re.compile(r"\b([A-Z][A-Z0-9]{1,9}-\d{1,7})\b")
# A rollback job (`rollback-production`, `shop_roll_back`) deploys too: an older version.
_DEPLOY = re.compile(r"deploy|release|rollout|promote|(?<![a-z])roll[ _-]?back", re.IGNORECASE)
# Not after a letter: `orders_roll_back` and `rolling back` are rollbacks, `scrolling backlog` is not.
_ROLLBACK = re.compile(r"(?<![a-z])roll(?:ing|ed)?[ _-]?back|revert", re.IGNORECASE)
_ENVIRONMENTS = (
    ("production", re.compile(r"\bprod(uction)?\b", re.I)),
    ("staging", re.compile(r"\bstag(e|ing)\b", re.I)),
    ("development", re.compile(r"\bdev(elopment)?\b", re.I)),
)

CI_STATUS = {
    "success": "success",
    "passed": "success",
    "fixed": "success",
    "succeeded": "success",
    "failure": "failure",
    "failed": "failure",
    "timed_out": "failure",
    "error": "error",
    "errored": "error",
    "infrastructure_fail": "error",
    "unstable": "failure",
    "startup_failure": "error",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "aborted": "cancelled",
    "not_run": "skipped",
    "not_built": "skipped",  # Jenkins: the build was not run (an earlier stage failed, or disabled)
    "skipped": "skipped",
    "neutral": "success",
    "action_required": "failure",
    "stale": "cancelled",
}


def repository_of_url(url: str | None) -> str | None:
    """`owner/repo` (GitLab: `group/subgroup/project`) from a clone URL in any of its forms: https,
    `ssh://git@host/owner/repo.git`, or scp-like `git@host:owner/repo.git`, the form Argo CD and
    Jenkins are most often given. The same name the push events of GitHub, GitLab and Bitbucket carry,
    so a deployment or build finds its commits whichever host and URL form the tool was set up with."""
    raw = (url or "").strip()
    if not raw:
        return None
    if "://" in raw:
        path = urlsplit(raw).path
    elif ":" in raw and "@" in raw.split(":", 1)[0]:  # git@host:owner/repo.git
        path = raw.split(":", 1)[1]
    else:
        return None
    path = path.strip("/").removesuffix(".git").strip("/")
    return path if "/" in path else None


# An image tag that is a commit id: `3f2a1b9`, `3f2a1b9c...` (40), `sha-3f2a1b9` (docker/metadata-action),
# `git-3f2a1b9`. Hex only and at least 7 characters, so `v1.4.2`, `latest` and dates are not.
_COMMIT_TAG = re.compile(r"^(?:sha-|git-|commit-)?([0-9a-f]{7,40})$")
# `git describe` output, which many builds use as the image tag: `<tag>-<commits since>-g<sha>`
# (`v1.4.2-3-g3f2a1b9`, `--long`: `v1.4.2-0-g3f2a1b9`, maybe `-dirty`): the part after `g` is the commit.
_DESCRIBE_TAG = re.compile(r"^.+-\d+-g([0-9a-f]{7,40})(?:-dirty)?$")


def commit_of_tag(tag: str | None) -> str | None:
    """The commit an image tag names, when it names one (possibly abbreviated: the metrics module
    resolves an abbreviation against the repository's pushes)."""
    m = _COMMIT_TAG.match(tag or "") or _DESCRIBE_TAG.match(tag or "")
    return m[1] if m and not m[1].isdigit() else None


def ticket_keys(*texts: str | None) -> list[str]:
    seen: dict[str, None] = {}
    for t in texts:
        for key in _TICKET.findall(t or ""):
            seen[key] = None
    return list(seen)


def is_deploy(*names: str | None) -> bool:
    return any(n and _DEPLOY.search(n) for n in names)


def is_rollback(*texts: str | None) -> bool:
    return any(t and _ROLLBACK.search(t) for t in texts)


def environment_of(*names: str | None, default: str = "production") -> str:
    for name in names:
        for env, pattern in _ENVIRONMENTS:
            if name and pattern.search(name):
                return env
    return default


def real_sha(sha: str | None) -> str | None:
    """None for the all-zero id GitHub and GitLab send as `before` of a new branch (and `after` of a
    deleted one): it names no commit, and a consumer taking it for one would look for a range from it."""
    return sha if sha and set(sha) != {"0"} else None


_REMOTE_PREFIXES = ("refs/heads/", "refs/remotes/origin/", "remotes/origin/", "origin/")


def branch_name(ref: str | None) -> str | None:
    """A branch as pushes name it (`feature/a`), from the forms CI tools report: `refs/heads/feature/a`,
    `origin/feature/a`, `refs/remotes/origin/feature/a`. The branch's own slashes stay."""
    raw = (ref or "").strip()
    for prefix in _REMOTE_PREFIXES:
        if raw.startswith(prefix):
            raw = raw.removeprefix(prefix)
            break
    return raw or None


def ci_status(raw: str | None) -> str:
    return CI_STATUS.get((raw or "").lower(), "error")


def deploy_status(ci: str) -> str:
    """A build status as a deployment status (deployment events use success/failure/cancelled)."""
    return {"success": "success", "cancelled": "cancelled", "skipped": "cancelled"}.get(ci, "failure")
