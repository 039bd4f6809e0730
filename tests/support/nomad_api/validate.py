"""Job validation as Nomad's register and plan RPCs do it.

``job_errors(job)`` runs the admission validators in Nomad's order
(rules_admission.admission_errors, which ends with structs ``Job.Validate`` from
rules_job -> rules_group -> rules_task / rules_services / ...) and returns the
flat list of error texts. ``admission_error(job)`` gives the RPC error body:
a mutator's error as a single line ("error in job mutator connect: ..."), or the
validators' errors as one go-multierror text ("N errors occurred:\\n\\t* ...").
Nomad's HTTP agent answers either with status 500 (plain text), as the error is
not a CodedError (command/agent/http.go errCodeFromHandler).
"""
import re

from .canonicalize import canonicalize
from .errors import ApiError, multierror
from .rules_admission import admission_errors, http_register_errors, mutator_error

_VALID_NAME = re.compile(r"^[a-zA-Z0-9-]{1,128}$")

__all__ = ["job_errors", "admission_error", "check_job", "http_register_errors",
           "valid_name"]


def job_errors(job):
    """Errors of ``job`` (api.Job JSON, raw or canonical: defaults are filled first)."""
    job = canonicalize(job)
    problem = mutator_error(job)
    if problem:
        return [problem]
    return admission_errors(job)


def admission_error(job):
    """The body of Nomad's 500 answer for ``job``, or None when it is admitted."""
    job = canonicalize(job)
    problem = mutator_error(job)
    if problem:
        return problem
    errs = admission_errors(job)
    return multierror(errs) if errs else None


def check_job(job):
    """Raise ApiError(500, <Nomad's text>) unless ``job`` would be admitted."""
    problem = admission_error(job)
    if problem:
        raise ApiError(500, problem)


def valid_name(name):
    return bool(_VALID_NAME.match(name or ""))
