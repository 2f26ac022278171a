"""Prefect flows, the crawler and the command line of newsledger.

Prefect reads its settings when first imported, so the quiet, offline defaults are set
here, before any flow module imports it; values already in the environment win.
"""

import logging
import os

_QUIET_PREFECT = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    # the temporary server migrates a fresh SQLite file at start: slow on a loaded machine
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}
for _name, _value in _QUIET_PREFECT.items():
    os.environ.setdefault(_name, _value)

# Great Expectations logs the temporary folders of its ephemeral context at INFO.
logging.getLogger("great_expectations").setLevel(logging.ERROR)
