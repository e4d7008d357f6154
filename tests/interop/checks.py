"""Pass/fail bookkeeping shared by the interop drivers (standard library only,
so the Java driver runs without the pyiceberg virtual environment)."""
import sys

RESULTS = {"passed": 0, "failed": 0}


def check(what, ok, detail=""):
    RESULTS["passed" if ok else "failed"] += 1
    print(("ok: " if ok else "FAIL: ") + what + ("" if ok else f"\n    {detail}"), flush=True)
    return ok


def check_eq(what, got, want):
    if got == want:
        return check(what, True)
    return check(what, False, f"got  {got!r}\n    want {want!r}")


def finish():
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed", flush=True)
    sys.exit(1 if RESULTS["failed"] else 0)
