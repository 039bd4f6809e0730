"""Group policy blocks: update, migrate, restart, reschedule, disconnect.

Sources: nomad/structs/structs.go ``UpdateStrategy.Validate``,
``MigrateStrategy.Validate``, ``RestartPolicy.Validate``,
``ReschedulePolicy.Validate`` / ``validateDelayParams`` / ``viableAttempts``;
nomad/structs/group.go ``DisconnectStrategy.Validate``. Durations are integer
nanoseconds (api JSON); each function returns a list of error texts.
"""
from .gofmt import duration as dur
from .gofmt import q, qlist

SECOND = 1_000_000_000
RESTART_MIN_INTERVAL = 5 * SECOND       # structs.RestartPolicyMinInterval
RESCHEDULE_MIN_INTERVAL = 15 * SECOND   # structs.ReschedulePolicyMinInterval
RESCHEDULE_MIN_DELAY = 5 * SECOND       # structs.ReschedulePolicyMinDelay
DELAY_FUNCTIONS = ("constant", "exponential", "fibonacci")


def _n(obj, key):
    return obj.get(key) or 0


def update_errors(u):
    """structs.go UpdateStrategy.Validate (group update after api Canonicalize)."""
    errs = []
    if u.get("HealthCheck") not in ("checks", "task_states", "manual"):
        errs.append(f"Invalid health check given: {q(u.get('HealthCheck'))}")
    if _n(u, "MaxParallel") < 0:
        errs.append(f"Max parallel can not be less than zero: {u['MaxParallel']} < 0")
    if _n(u, "Canary") < 0:
        errs.append(f"Canary count can not be less than zero: {u['Canary']} < 0")
    if _n(u, "Canary") == 0 and u.get("AutoPromote"):
        errs.append("Auto Promote requires a Canary count greater than zero")
    mht, hd, pd = _n(u, "MinHealthyTime"), _n(u, "HealthyDeadline"), _n(u, "ProgressDeadline")
    if mht < 0:
        errs.append(f"Minimum healthy time may not be less than zero: {dur(mht)}")
    if hd <= 0:
        errs.append(f"Healthy deadline must be greater than zero: {dur(hd)}")
    if pd < 0:
        errs.append(f"Progress deadline must be zero or greater: {dur(pd)}")
    if mht >= hd:
        errs.append(f"Minimum healthy time must be less than healthy deadline: "
                    f"{dur(mht)} > {dur(hd)}")
    if pd != 0 and hd >= pd:
        errs.append(f"Healthy deadline must be less than progress deadline: "
                    f"{dur(hd)} > {dur(pd)}")
    if _n(u, "Stagger") <= 0:
        errs.append(f"Stagger must be greater than zero: {dur(_n(u, 'Stagger'))}")
    return errs


def migrate_errors(m):
    """structs.go MigrateStrategy.Validate."""
    errs = []
    if _n(m, "MaxParallel") < 0:
        errs.append(f"MaxParallel must be >= 0 but found {m['MaxParallel']}")
    check = m.get("HealthCheck") or ""
    if check == "":
        if _n(m, "MaxParallel") > 0:
            errs.append("Missing HealthCheck")
    elif check not in ("checks", "task_states"):
        errs.append(f"Invalid HealthCheck: {q(check)}")
    mht, hd = _n(m, "MinHealthyTime"), _n(m, "HealthyDeadline")
    if mht < 0:
        errs.append(f"MinHealthyTime is {dur(mht)} and must be >= 0")
    if hd < 0:
        errs.append(f"HealthyDeadline is {dur(hd)} and must be >= 0")
    if mht > hd:
        errs.append("MinHealthyTime must be less than HealthyDeadline")
    return errs


def restart_errors(r):
    """structs.go RestartPolicy.Validate."""
    errs = []
    mode = r.get("Mode") or ""
    if mode not in ("delay", "fail"):
        errs.append(f"Unsupported restart mode: {q(mode)}")
    attempts, interval, delay = _n(r, "Attempts"), _n(r, "Interval"), _n(r, "Delay")
    if attempts == 0 and mode != "fail":
        errs.append(f"Restart policy {q(mode)} with {attempts} attempts is ambiguous")
    if interval < RESTART_MIN_INTERVAL:
        errs.append(f"Interval can not be less than {dur(RESTART_MIN_INTERVAL)} "
                    f"(got {dur(interval)})")
    if attempts * delay > interval:
        errs.append(f"Nomad can't restart the TaskGroup {attempts} times in an interval of "
                    f"{dur(interval)} with a delay of {dur(delay)}")
    return errs


def _viable(r):
    """structs.go ReschedulePolicy.viableAttempts -> (ok, possible, recommended)."""
    attempts, interval = _n(r, "Attempts"), _n(r, "Interval")
    delay, max_delay = _n(r, "Delay"), _n(r, "MaxDelay")
    func = r.get("DelayFunction")
    possible, recommended, ok = 0, 0, True
    if func == "constant":
        recommended = attempts * delay
        if interval < recommended:
            possible, ok = interval // delay, False
    elif func == "exponential":
        for i in range(attempts):
            nxt = (2 ** i) * delay
            if nxt > max_delay:
                recommended += max_delay
            else:
                recommended = nxt
            if recommended < interval:
                possible += 1
        ok = possible >= attempts
    else:  # fibonacci
        slots = [delay, delay]
        ceiling = False
        for i in range(2, attempts):
            if ceiling:
                nxt = slots[i - 1] + max_delay
            else:
                nxt = slots[i - 1] + slots[i - 2]
                if nxt > max_delay:
                    nxt, ceiling = max_delay, True
            slots.append(nxt)
        recommended = slots[-1]
        if interval < recommended:
            ok = False
            for i, slot in enumerate(slots):
                if slot > interval:
                    possible = i
                    break
    return ok, max(possible, 0), recommended


def _round_second(ns):
    return (ns + SECOND // 2) // SECOND * SECOND


def reschedule_errors(r):
    """structs.go ReschedulePolicy.Validate (only when Attempts > 0 or Unlimited)."""
    attempts, interval = _n(r, "Attempts"), _n(r, "Interval")
    delay, max_delay = _n(r, "Delay"), _n(r, "MaxDelay")
    unlimited = bool(r.get("Unlimited"))
    func = r.get("DelayFunction") or ""
    if not (attempts > 0 or unlimited):
        return []
    errs = []
    if attempts > 0:
        if interval <= 0:
            errs.append("Interval must be a non zero value if Attempts > 0")
        if unlimited:
            errs.append(f"Reschedule Policy with Attempts = {attempts}, Interval = "
                        f"{dur(interval)}, and Unlimited = true is ambiguous")
            errs.append("If Attempts >0, Unlimited cannot also be set to true")
    pre_check = True
    if delay < RESCHEDULE_MIN_DELAY:
        errs.append(f"Delay cannot be less than {dur(RESCHEDULE_MIN_DELAY)} (got {dur(delay)})")
        pre_check = False
    if func not in DELAY_FUNCTIONS:
        errs.append(f"Invalid delay function {q(func)}, must be one of "
                    f"{qlist(DELAY_FUNCTIONS)}")
        pre_check = False
    if func != "constant":
        if max_delay < RESCHEDULE_MIN_DELAY:
            # Nomad prints Delay here, not MaxDelay (kept as the server says it)
            errs.append(f"Max Delay cannot be less than {dur(RESCHEDULE_MIN_DELAY)} "
                        f"(got {dur(delay)})")
            pre_check = False
        if max_delay < delay:
            errs.append(f"Max Delay cannot be less than Delay {dur(delay)} (got {dur(max_delay)})")
            pre_check = False
    if not unlimited:
        if interval < RESCHEDULE_MIN_INTERVAL:
            errs.append(f"Interval cannot be less than {dur(RESCHEDULE_MIN_INTERVAL)} "
                        f"(got {dur(interval)})")
        if not pre_check:
            return errs
        ok, possible, recommended = _viable(r)
        if not ok:
            if func == "constant":
                errs.append(f"Nomad can only make {possible} attempts in {dur(interval)} with "
                            f"initial delay {dur(delay)} and delay function {q(func)}")
            else:
                errs.append(f"Nomad can only make {possible} attempts in {dur(interval)} with "
                            f"initial delay {dur(delay)}, delay function {q(func)}, and delay "
                            f"ceiling {dur(max_delay)}")
            errs.append(f"Set the interval to at least {dur(_round_second(recommended))} to "
                        f"accommodate {attempts} attempts")
    return errs


def disconnect_errors(d, job_type):
    """group.go DisconnectStrategy.Validate."""
    errs = []
    stop_after = d.get("StopOnClientAfter")
    if stop_after is not None:
        if stop_after < 0:
            errs.append("stop_after cannot be a negative duration")
        if job_type not in ("service", "batch"):
            errs.append("stop_after can only be used with service or batch job types")
    if _n(d, "LostAfter") < 0:
        errs.append("lost_after cannot be a negative duration")
    if stop_after is not None and _n(d, "LostAfter") != 0:
        errs.append("Disconnect cannot be configured with both lost_after and stop_after")
    reconcile = d.get("Reconcile") or ""
    if reconcile not in ("", "best_score", "longest_running", "keep_original",
                         "keep_replacement"):
        errs.append(f"reconcile option is invalid: {reconcile}")
    return errs
