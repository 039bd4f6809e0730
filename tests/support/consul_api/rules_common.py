"""Helpers shared by the per-kind validation rules (what Consul answers with 500).

Sources (hashicorp/consul, read with the search tools; paraphrased, not copied):
- ``agent/structs/config_entry.go`` ``validateConfigEntryMeta``: at most 64 Meta pairs,
  keys up to 128 bytes, values up to 512 bytes (limits from ``agent/structs/structs.go``).
- Errors collected with ``hashicorp/go-multierror``: ``"1 error occurred:\\n\\t* X\\n\\n"`` or
  ``"N errors occurred:\\n\\t* X\\n\\t* Y\\n\\n"`` (its ``ListFormatFunc``).
- ``MutualTLSMode.validate`` (config_entry.go): "", "strict" or "permissive".
"""
import json

META_MAX_PAIRS = 64
META_KEY_MAX = 128
META_VALUE_MAX = 512
WILDCARD = "*"


class ValidationError(Exception):
    """Entry decoded but is invalid (Consul answers these from its RPC layer with 500)."""


def quote(text):
    """Go's ``%q`` for the plain strings config entries hold (JSON quoting is the same for ASCII)."""
    return json.dumps(text, ensure_ascii=False)


def multierror(errors):
    """Text of a go-multierror holding ``errors`` (list of str, at least one)."""
    if len(errors) == 1:
        return "1 error occurred:\n\t* %s\n\n" % errors[0]
    return "%d errors occurred:\n\t%s\n\n" % (len(errors), "\n\t".join("* " + e for e in errors))


def raise_all(errors):
    """Raise the multierror of ``errors`` when there is any."""
    if errors:
        raise ValidationError(multierror(errors))


def meta_errors(meta):
    """validateConfigEntryMeta: list of messages for a ``Meta`` map (None = no Meta)."""
    meta = meta or {}
    errors = []
    if len(meta) > META_MAX_PAIRS:
        errors.append("Meta exceeds maximum element count %d" % META_MAX_PAIRS)
    for key, value in meta.items():
        if len(key.encode()) > META_KEY_MAX:
            errors.append("Meta key %s exceeds maximum length %d" % (quote(key), META_KEY_MAX))
        if len(str(value).encode()) > META_VALUE_MAX:
            errors.append("Meta value for key %s exceeds maximum length %d" % (quote(key), META_VALUE_MAX))
    return errors


def check_meta(meta):
    """Kinds that return validateConfigEntryMeta's error as is (proxy-defaults, intentions, resolver)."""
    raise_all(meta_errors(meta))


MUTUAL_TLS_MODES = ("", "strict", "permissive")


def check_mutual_tls_mode(mode):
    """MutualTLSMode.validate; Consul returns this error alone (earlier errors are dropped)."""
    if (mode or "") not in MUTUAL_TLS_MODES:
        raise ValidationError('Invalid MutualTLSMode %s. Must be one of "", "strict", or "permissive".' % quote(mode))


def go_duration_string(ns):
    """Go's ``time.Duration.String()`` (nanoseconds, may be negative)."""
    if ns < 0:
        return "-" + go_duration_string(-ns)

    def frac(v, unit):
        whole, rest = divmod(v, unit)
        return str(whole) if not rest else "%d.%s" % (whole, str(rest).rjust(len(str(unit)) - 1, "0").rstrip("0"))
    if ns == 0:
        return "0s"
    if ns < 10 ** 3:
        return "%dns" % ns
    if ns < 10 ** 6:
        return frac(ns, 10 ** 3) + "\u00b5s"
    if ns < 10 ** 9:
        return frac(ns, 10 ** 6) + "ms"
    h, rest = divmod(ns, 3600 * 10 ** 9)
    m, rest = divmod(rest, 60 * 10 ** 9)
    s = frac(rest, 10 ** 9) + "s"
    return ("%dh%dm" % (h, m) + s) if h else (("%dm" % m + s) if m else s)
