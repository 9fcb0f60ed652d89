"""The outcome of a verification: the list of checks and whether all passed."""

from dataclasses import dataclass, field

__all__ = ["VerificationReport"]


@dataclass
class VerificationReport:
    """Outcome of :func:`netalgebra.certificate.verify`: ``ok`` is True iff every check passed."""

    ok: bool = True
    checks: list = field(default_factory=list)  # (name, passed, detail)
    incomplete: bool = False   # a CAD re-check ran out of time: neither accepted nor refuted

    def check(self, name, passed, detail=""):
        """Record one check; returns ``passed`` (so a checker can stop after a rejection)."""
        self.checks.append((name, bool(passed), detail))
        if not passed:
            self.ok = False
        return bool(passed)

    @property
    def failures(self):
        return [c for c in self.checks if not c[1]]

    def __bool__(self):
        return self.ok

    def summary(self):
        lines = []
        for name, passed, detail in self.checks:
            lines.append(f"[{'ok' if passed else 'FAIL'}] {name}" + (f": {detail}" if detail else ""))
        return "\n".join(lines)
