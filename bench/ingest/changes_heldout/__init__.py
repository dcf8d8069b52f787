"""Held-out conformance cases for the CODE-CHANGE and CI normalizers (GitHub, GitLab, CircleCI, Jenkins).

Each case is a real fixture from tests/fixtures/webhooks plus documented edits (a small builder that
mutates a copy of the body), and the canonical events expected from the VENDOR's webhook docs and
docs/metrics.md, written before the normalizers' code was read (2026-11-28, session 5). See
bench/README.md, "Ingest normalizer conformance".
"""

from bench.ingest.changes_heldout.cases_ci import CASES as CI_CASES
from bench.ingest.changes_heldout.cases_github import CASES as GITHUB_CASES
from bench.ingest.changes_heldout.cases_gitlab import CASES as GITLAB_CASES

CASES = [*GITHUB_CASES, *GITLAB_CASES, *CI_CASES]
