"""notifier-svc settings: the shared ones plus Slack credentials, routing, pacing and retry policy."""

from typing import Annotated

from em_shared.runtime.settings import CommonSettings, env


class NotifierSettings(CommonSettings, frozen=True, kw_only=True):
    port: Annotated[int, env("NOTIFIER_PORT", "HTTP port of notifier-svc.")] = 8004
    slack_bot_token: Annotated[
        str, env("SLACK_BOT_TOKEN", "Slack bot token (xoxb-...) for Web API calls.")
    ] = ""
    slack_signing_secret: Annotated[
        str, env("SLACK_SIGNING_SECRET", "Slack signing secret; verifies requests to POST /slack/events.")
    ] = ""
    slack_api_url: Annotated[
        str, env("SLACK_API_URL", "Slack Web API base URL; tests and self-hosted proxies point it elsewhere.")
    ] = "https://slack.com/api/"
    slack_default_channel: Annotated[
        str, env("SLACK_DEFAULT_CHANNEL", "Channel for incidents no routing rule matches.")
    ] = "#incidents"
    routing_rules_file: Annotated[
        str,
        env(
            "NOTIFIER_ROUTING_FILE",
            "YAML routing rules (service/team/severity -> channel); empty: default only.",
        ),
    ] = ""
    incident_url_template: Annotated[
        str,
        env(
            "NOTIFIER_INCIDENT_URL",
            "Link of the View button when the incident carries no url; {id} is replaced.",
        ),
    ] = "http://127.0.0.1:8001/v1/incidents/{id}"
    channel_rate_per_s: Annotated[
        float,
        env("SLACK_CHANNEL_RATE_PER_S", "Messages posted per second per channel (Slack allows about 1)."),
    ] = 1.0
    channel_burst: Annotated[
        int, env("SLACK_CHANNEL_BURST", "Messages a quiet channel may take at once before pacing starts.")
    ] = 2
    max_attempts: Annotated[
        int,
        env("SLACK_MAX_ATTEMPTS", "Attempts of one Slack call on 5xx/network errors before dead-lettering."),
    ] = 5
    max_rate_limited: Annotated[
        int, env("SLACK_MAX_RATE_LIMITED", "429 answers tolerated for one delivery before dead-lettering.")
    ] = 20
    retry_base_s: Annotated[
        float, env("SLACK_RETRY_BASE_S", "First backoff delay; doubles per attempt, with jitter.")
    ] = 0.5
    retry_max_s: Annotated[float, env("SLACK_RETRY_MAX_S", "Longest backoff delay between attempts.")] = 30.0
    slack_timeout_s: Annotated[float, env("SLACK_TIMEOUT_S", "Timeout of one Slack Web API call.")] = 10.0
    allow_list_cache_s: Annotated[
        float, env("SLACK_GROUP_CACHE_S", "Seconds a user group's member list is cached for button checks.")
    ] = 60.0
