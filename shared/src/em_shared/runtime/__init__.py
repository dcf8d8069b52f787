"""Settings, logging, metrics and the service host every EM Agent process runs in."""
