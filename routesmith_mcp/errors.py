"""The one error type users and models are shown; the server turns it into ToolError, the CLI into a message."""


class RoutesmithError(ValueError):
    """Bad input or an unusable state; the message says what to fix."""
