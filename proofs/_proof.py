"""Shared transcript helper for the scripted proofs in ``proofs/`` (not a proof itself).

Every proof script prints a transcript: the statement, its source, the objects it
builds, and each check with its outcome.  :class:`Proof` collects the checks; the
script exits 0 only if every check passed (:meth:`Proof.finish`), and non-zero
(1) as soon as the run ends with a failed check, or (2) on an unexpected error.
Running this file directly does nothing (CI runs every ``proofs/*.py``).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
import traceback


class Proof:
    """A proof transcript: ``step`` prints facts, ``check`` records a pass/fail claim."""

    def __init__(self, title, statement, source):
        self.t0 = time.perf_counter()
        self.failed = []
        self.nchecks = 0
        bar = "=" * 78
        print(bar)
        print(title)
        print(bar)
        print("Statement:")
        print(textwrap.indent(textwrap.fill(statement, 74), "  "))
        print("Source:")
        print(textwrap.indent(textwrap.fill(source, 74), "  "))
        sys.stdout.flush()

    def section(self, name):
        print()
        print(f"--- {name} " + "-" * max(0, 73 - len(name)))
        sys.stdout.flush()

    def step(self, text):
        """A fact or object built (no claim)."""
        for i, line in enumerate(str(text).splitlines() or [""]):
            print(("  * " if i == 0 else "    ") + line)
        sys.stdout.flush()

    def check(self, name, passed, detail=""):
        """Record a claim; print ``[ok]`` or ``[FAIL]``.  Returns ``bool(passed)``."""
        self.nchecks += 1
        ok = bool(passed)
        if not ok:
            self.failed.append(name)
        line = f"  [{'ok' if ok else 'FAIL'}] {name}"
        if detail:
            line += f": {detail}"
        print(line)
        sys.stdout.flush()
        return ok

    def require(self, name, passed, detail=""):
        """A check whose failure makes the rest of the proof meaningless: stop at once."""
        if not self.check(name, passed, detail):
            self.finish()
        return True

    def finish(self, conclusion="Q.E.D."):
        secs = time.perf_counter() - self.t0
        print()
        if self.failed:
            print(f"PROOF FAILED: {len(self.failed)} of {self.nchecks} checks failed "
                  f"({', '.join(self.failed[:5])}{', ...' if len(self.failed) > 5 else ''}); "
                  f"{secs:.1f} s")
            sys.stdout.flush()
            sys.exit(1)
        print(f"All {self.nchecks} checks passed in {secs:.1f} s.  {conclusion}")
        sys.stdout.flush()
        sys.exit(0)


def parser(description):
    return argparse.ArgumentParser(description=description)


def run(main):
    """Run ``main()``; an unexpected exception is a failed proof (exit 2), never a silent pass."""
    try:
        main()
    except SystemExit:
        raise
    except Exception:  # noqa: BLE001 -- any error means the proof did not go through
        traceback.print_exc()
        print("\nPROOF FAILED: unexpected error (see the traceback above)")
        sys.exit(2)


def rat(x):
    """Short exact string of a rational (fmpq, Fraction, int)."""
    from fractions import Fraction
    try:
        f = Fraction(int(x.p), int(x.q))  # fmpq
    except AttributeError:
        f = Fraction(x)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def matrix_str(M):
    return "[" + ", ".join("[" + ", ".join(rat(x) for x in row) + "]" for row in M) + "]"


def poly_str(coeffs, var="t"):
    """Coefficient strings (low degree first) -> readable polynomial in ``var``."""
    from fractions import Fraction
    terms = []
    for i, c in enumerate(coeffs):
        c = Fraction(c)
        if c == 0:
            continue
        mono = "" if i == 0 else (var if i == 1 else f"{var}^{i}")
        if mono and abs(c) == 1:
            s = ("-" if c < 0 else "") + mono
        else:
            s = rat(c) + (" " + mono if mono else "")
        terms.append(s)
    if not terms:
        return "0"
    out = terms[0]
    for s in terms[1:]:
        out += " - " + s[1:] if s.startswith("-") else " + " + s
    return out


def ratfun_str(rf, var="t"):
    """A certificate rational function {"num": [...], "den": [...]} as text."""
    num, den = poly_str(rf["num"], var), poly_str(rf.get("den", ["1"]), var)
    if den == "1":
        return num
    wrap = (lambda s: f"({s})" if (" + " in s or " - " in s) else s)
    return f"{wrap(num)}/{wrap(den)}"
