"""Next launch of a periodic job, for the plan's ``NextPeriodicLaunch``.

nomad/job_endpoint.go Job.Plan: for an enabled periodic job,
``Periodic.Next(time.Now().In(location))`` (nomad/structs/structs.go
PeriodicConfig.Next: the earliest next time over ``Spec`` or ``Specs``, each through
CronParseNext, i.e. hashicorp/cronexpr). Expressions: 5 fields (minute hour
day-of-month month day-of-week), 6 (plus year) or 7 (seconds first, then year);
``*``, ``?``, lists, ranges, steps, month and day names, the @yearly/@annually/
@monthly/@weekly/@daily/@midnight/@hourly macros. When both day fields are restricted
a day matching either one is chosen (cronexpr). ``L``, ``W`` and ``#`` are refused
with an error (stricter than Nomad: the contract server does not simulate them).
"""
import datetime
import zoneinfo

ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time.Time in JSON
SEARCH_DAYS = 366 * 8  # bounded search; cronexpr returns the zero time when none
_MACROS = {"@yearly": "0 0 0 1 1 * *", "@annually": "0 0 0 1 1 * *",
           "@monthly": "0 0 0 1 * * *", "@weekly": "0 0 0 * * 0 *",
           "@daily": "0 0 0 * * * *", "@midnight": "0 0 0 * * * *",
           "@hourly": "0 0 * * * * *"}
_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_DAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
# second, minute, hour, day-of-month, month, day-of-week, year: (low, high, names)
_RANGES = [(0, 59, None), (0, 59, None), (0, 23, None), (1, 31, None), (1, 12, _MONTHS),
           (0, 7, _DAYS), (1970, 2099, None)]


class CronError(ValueError):
    """An expression the contract server cannot evaluate."""


def _number(text, low, high, names, spec):
    text = text.lower()
    if names and text in names:
        return names[text]
    if not text.isdigit() or not low <= int(text) <= high:
        raise CronError(f"failed parsing cron expression: {spec}: bad value {text!r}")
    return int(text)


def _field(text, index, spec):
    low, high, names = _RANGES[index]
    if text in ("*", "?"):
        return set(range(low, high + 1)), False
    values = set()
    for item in text.split(","):
        base, _slash, step = item.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            raise CronError(f"failed parsing cron expression: {spec}: bad step {step!r}")
        if base in ("*", "?"):
            first, last = low, high
        else:
            start, dash, end = base.partition("-")
            first = _number(start, low, high, names, spec)
            last = _number(end, low, high, names, spec) if dash else (high if step else first)
        values.update(range(first, last + 1, int(step) if step else 1))
    if index == 5 and 7 in values:  # Sunday as 7
        values = (values - {7}) | {0}
    return values, True


def parse(spec):
    """The seven value sets of ``spec`` plus whether each day field is restricted."""
    text = _MACROS.get(spec.strip().lower(), spec.strip())
    parts = text.split()
    if len(parts) == 5:
        parts = ["0"] + parts + ["*"]
    elif len(parts) == 6:
        parts = ["0"] + parts
    elif len(parts) != 7:
        raise CronError(f"failed parsing cron expression: {spec}: wrong number of fields")
    return [_field(p, i, spec) for i, p in enumerate(parts)]


def _day_matches(day, fields):
    (doms, dom_restricted), (months, _months_restricted), (dows, dow_restricted), (years, _years_restricted) = \
        fields[3], fields[4], fields[5], fields[6]
    if day.year not in years or day.month not in months:
        return False
    dom_ok, dow_ok = day.day in doms, (day.isoweekday() % 7) in dows
    if dom_restricted and dow_restricted:
        return dom_ok or dow_ok
    return dom_ok and dow_ok


def next_time(spec, after):
    """The first time strictly after ``after`` (an aware datetime) matching ``spec``,
    or None when there is none within SEARCH_DAYS."""
    fields = parse(spec)
    seconds, minutes, hours = (sorted(fields[i][0]) for i in range(3))
    start = after.replace(microsecond=0) + datetime.timedelta(seconds=1)
    day = start.date()
    for dummy in range(SEARCH_DAYS):
        if _day_matches(day, fields):
            for hour in hours:
                for minute in minutes:
                    for second in seconds:
                        when = datetime.datetime(day.year, day.month, day.day, hour, minute,
                                                 second, tzinfo=after.tzinfo)
                        if when >= start:
                            return when
        day += datetime.timedelta(days=1)
    return None


def go_time(when):
    """RFC 3339 as Go's time.Time marshals to JSON ("Z" for UTC)."""
    if when is None:
        return ZERO_TIME
    text = when.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def next_periodic_launch(periodic, now=None):
    """``NextPeriodicLaunch`` for an api.PeriodicConfig dict (canonical)."""
    if not periodic or not periodic.get("Enabled", True) or periodic.get("SpecType") != "cron":
        return ZERO_TIME
    try:
        zone = zoneinfo.ZoneInfo(periodic.get("TimeZone") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise CronError(f"Invalid time zone {periodic.get('TimeZone')!r}: {exc}") from exc
    now = (now or datetime.datetime.now(datetime.timezone.utc)).astimezone(zone)
    specs = [periodic["Spec"]] if periodic.get("Spec") else list(periodic.get("Specs") or [])
    times = [t for t in (next_time(s, now) for s in specs) if t is not None]
    return go_time(min(times) if times else None)
