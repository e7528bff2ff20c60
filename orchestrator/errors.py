"""One exception type for every user-facing failure, so the CLI can print one line and exit 2."""


class OrchError(Exception):
    """A problem the user can fix (bad input, bad registry, missing file); never a bug."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message.splitlines()[0] if message else "error")


class EngineUnavailable(OrchError):
    """The decoding engine (a vLLM server) is down or did not answer in time: try again later
    (HTTP 503), nothing is wrong with the request."""


class EngineError(OrchError):
    """The decoding engine refused or garbled a request orch sent it (HTTP 502)."""
