"""HTTP errors as Nomad's agent reports them: a status code and a plain-text body.

command/agent/http.go: CodedError keeps its code (decode failures are 400);
ErrPermissionDenied / ErrTokenNotFound map to 403; any other RPC error is 500.
"""

PERMISSION_DENIED = "Permission denied"
TOKEN_NOT_FOUND = "ACL token not found"


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def denied():
    return ApiError(403, PERMISSION_DENIED)


def multierror(errors):
    """Format like hashicorp/go-multierror, which Nomad's validation returns."""
    noun = "error" if len(errors) == 1 else "errors"
    lines = "".join(f"\t* {e}\n" for e in errors)
    return f"{len(errors)} {noun} occurred:\n{lines}\n"
