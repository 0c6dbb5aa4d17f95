"""Where the API lives: the one prefix every router is mounted under."""

API_PREFIX = "/api/workflow-troubleshooting"
