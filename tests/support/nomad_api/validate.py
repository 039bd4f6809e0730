"""Job validation as Nomad's register, plan and validate RPCs do it.

``job_errors(job)`` canonicalizes ``job`` (api.Job JSON), then:

- raises ``ApiError(500, "error in job mutator <name>: ...")`` when a mutating
  admission hook refuses the job (Nomad stops there and answers that one line;
  rules_admission.mutator_error);
- otherwise returns the flat list of validator errors in Nomad's order
  (rules_admission.admission_errors, which ends with structs ``Job.Validate`` from
  rules_job -> rules_group -> rules_task / rules_services / ...). Callers answer a
  non-empty list as one go-multierror text with HTTP 500, as Nomad's HTTP agent
  does for an error that is not a CodedError (command/agent/http.go
  errCodeFromHandler).
"""
import re

from .canonicalize import canonicalize
from .errors import ApiError
from .rules_admission import admission_errors, http_register_errors, mutator_error

_VALID_NAME = re.compile(r"^[a-zA-Z0-9-]{1,128}$")

__all__ = ["job_errors", "http_register_errors", "valid_name"]


def job_errors(job):
    """Validator errors of ``job`` (raw or canonical); ApiError on a mutator error."""
    job = canonicalize(job)
    problem = mutator_error(job)
    if problem:
        raise ApiError(500, problem)
    return admission_errors(job)


def valid_name(name):
    return bool(_VALID_NAME.match(name or ""))
