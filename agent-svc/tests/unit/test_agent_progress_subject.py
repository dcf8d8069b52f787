"""A sub-agent publishes tool progress only under the deployment's `agent.progress.` subjects."""

import pytest
from agent_svc.domain.progress import progress_subject_problem

PREFIX = "t1.agent.progress"


def test_the_coordinators_turn_subjects_are_accepted():
    assert progress_subject_problem(f"{PREFIX}.0a1b2c3d4e5f.9f8e7d6c5b4a", PREFIX) is None
    assert progress_subject_problem("agent.progress.abc", "agent.progress") is None


@pytest.mark.parametrize(
    "subject",
    [
        "t1.incident.incident.opened",  # another service's (streamed) subject
        "agent.progress.abc",  # another namespace's
        f"{PREFIX}",  # the prefix itself
        f"{PREFIX}x.abc",
        f"{PREFIX}.a b",  # whitespace: the NATS client refuses it mid-run
        f"{PREFIX}.abc\r\nPUB x 1",
        f"{PREFIX}.>",  # wildcards are not publishable
        f"{PREFIX}.*.x",
        f"{PREFIX}..x",
        f"{PREFIX}.nul\x00",
    ],
)
def test_other_subjects_are_refused_with_a_reason(subject):
    problem = progress_subject_problem(subject, PREFIX)
    assert problem is not None and "progress_subject" in problem
