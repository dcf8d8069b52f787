"""The Slack adapter: Web API calls (paced, retried) and the Bolt app for interactivity."""
