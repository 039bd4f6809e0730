"""Check a rolling restart from Molecule's verify (test infrastructure).

stdin: {"windows": [{"host", "stopped", "started"}], "samples": "<monotonic s> <0|1>\\n..."}
where stopped/started are systemd ActiveExit/ActiveEnterTimestampMonotonic (microseconds)
and each sample says whether the client agent named a leader at that time.
Fails (exit 1, reason on stderr) if two restart windows overlap, if a node did not
restart, or if the leader was unreachable for MAX_GAP seconds or more in a row.
"""
import json
import sys

MAX_GAP = 10.0


def main():
    data = json.load(sys.stdin)
    windows = sorted(data["windows"], key=lambda w: w["stopped"])
    errors = []
    for window in windows:
        if not 0 < window["stopped"] < window["started"]:
            errors.append("%s did not restart: %r" % (window["host"], window))
    for earlier, later in zip(windows, windows[1:]):
        if later["stopped"] < earlier["started"]:
            errors.append("%s went down before %s was back" % (later["host"], earlier["host"]))
    samples = [line.split() for line in data["samples"].splitlines() if line.strip()]
    if len(samples) < 10:
        errors.append("only %d leader samples" % len(samples))
    gap, gap_start = 0.0, None
    for stamp, ok in samples:
        if ok == "1":
            gap_start = None
        elif gap_start is None:
            gap_start = float(stamp)
        else:
            gap = max(gap, float(stamp) - gap_start)
    if gap >= MAX_GAP:
        errors.append("no leader for %.1f s in a row" % gap)
    order = ", ".join("%s %.1f-%.1f s" % (w["host"], w["stopped"] / 1e6, w["started"] / 1e6) for w in windows)
    print("restart order: %s; longest leaderless run %.1f s over %d samples" % (order, gap, len(samples)))
    if errors:
        sys.stderr.write("; ".join(errors) + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
