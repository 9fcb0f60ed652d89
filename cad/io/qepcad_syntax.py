"""QEPCAD B formula syntax: the parser of formula text and the printer :func:`to_str`.

The grammar is QEPCAD B's (Brown, "QEPCAD B: a program for computing with semi-algebraic sets
using CADs", SIGSAM Bulletin 37(4), 2003, and the QEPCAD B user documentation), with the
conventional precedences added (see :class:`FormulaParser`).  Whole input files and QEPCAD's
answers are read in :mod:`cad.io.qepcad`.
"""

from __future__ import annotations

import re

from cad.errors import InputError, ParseError
from cad.logic.ast import (
    FALSE, TRUE, And, Atom, Formula, Iff, Implies, Not, Or, Quantifier, RootAtom, Truth,
)
from cad.logic.build import atom, conj, disj, exists, forall, iff, implies, negate
from cad.logic.polys import clear_denominators, poly_str
from cad.poly import parse_polynomial_tokens, tokenize

__all__ = ["FormulaParser", "parse_formula", "to_str"]

_REL_TOKENS = {"=", "/=", "<", "<=", ">", ">="}


class FormulaParser:
    """Recursive descent for QEPCAD B formulas, precedence (loosest first)::

        formula := impl ['<==>' impl]*
        impl    := disj [('==>' | '<==') impl]
        disj    := conj ('\\/' conj)*
        conj    := unary ('/\\' unary)*
        unary   := '~' unary | '(' Q var ')' unary | '[' formula ']' | '(' formula ')'
                 | 'TRUE' | 'FALSE' | poly rel poly (rel poly)*
                 | var rel '_root_'k poly        (QEPCAD B's extended language, k /= 0)

    QEPCAD B itself insists on brackets whenever ``/\\`` and ``\\/`` are mixed and writes
    negation as ``[~ F]``; this parser accepts those inputs and also the conventional
    precedences above.  ``Q`` is ``E`` or ``A``; a chain ``p < q < r`` is ``p < q /\\ q < r``.

    ``free``: names that may occur free; ``quantifiable``: names that may be quantified
    (``None``: any ring variable).  Each variable occurrence is checked against the quantifiers
    in scope, so errors point at the offending token.
    """

    def __init__(self, tokens, pos, ring, free, quantifiable=None, nfree=None):
        self.toks = tokens
        self.pos = pos
        self.ring = ring
        self.free = set(free)
        self.quantifiable = quantifiable
        self.nfree = nfree
        self.scope = []
        self.varnames = set(ring.variables)

    # -- helpers
    def peek(self, k=0):
        i = min(self.pos + k, len(self.toks) - 1)
        return self.toks[i]

    def error(self, tok, message):
        return ParseError(message, tok.line, tok.column)

    def is_op(self, tok, *texts):
        return tok.kind == "op" and tok.text in texts

    # -- grammar
    def formula(self):
        left = self.impl()
        while self.is_op(self.peek(), "<==>"):
            self.pos += 1
            right = self.impl()
            left = iff(left, right)
        return left

    def impl(self):
        left = self.disj()
        tok = self.peek()
        if self.is_op(tok, "==>"):
            self.pos += 1
            return implies(left, self.impl())
        if self.is_op(tok, "<=="):
            self.pos += 1
            return implies(self.impl(), left)
        return left

    def disj(self):
        args = [self.conj()]
        while self.is_op(self.peek(), "\\/"):
            self.pos += 1
            args.append(self.conj())
        return disj(*args)

    def conj(self):
        args = [self.unary()]
        while self.is_op(self.peek(), "/\\"):
            self.pos += 1
            args.append(self.unary())
        return conj(*args)

    def quantifier_ahead(self):
        """``(Q v)`` or ``(Q v, w)`` at the current position?  Returns the quantifier letter."""
        t0, t1, t2 = self.peek(), self.peek(1), self.peek(2)
        if t0.kind != "lparen" or t1.kind != "name" or t2.kind != "name":
            return None
        letter = t1.text
        extended = letter in ("F", "G", "C") or re.fullmatch(r"X[0-9]+", letter)
        if letter not in ("E", "A") and not extended:
            return None
        t3 = self.peek(3)
        if t3.kind not in ("rparen", "comma"):
            return None
        if letter in self.varnames:
            # "(E x) ..." could be the product E*x: a quantifier only if a formula follows
            k = 3
            while self.peek(k).kind == "comma":
                k += 2
            after = self.peek(k + 1)
            if after.kind not in ("lbrack", "lparen") and not self.is_op(after, "~"):
                return None
        return letter

    def unary(self):
        tok = self.peek()
        if self.is_op(tok, "~"):
            self.pos += 1
            return negate(self.unary())
        if tok.kind == "lbrack":
            self.pos += 1
            f = self.formula()
            close = self.peek()
            if close.kind != "rbrack":
                raise self.error(close, f"expected ']' to close the '[' at line {tok.line}, column "
                                 f"{tok.column}, found {self.describe(close)}")
            self.pos += 1
            return f
        if tok.kind == "rbrack":
            raise self.error(tok, "unbalanced ']': no '[' is open here")
        if tok.kind == "rparen":
            raise self.error(tok, "unbalanced ')': expected a formula")
        letter = self.quantifier_ahead()
        if letter is not None:
            return self.quantified(letter)
        if tok.kind == "name" and tok.text in ("TRUE", "FALSE") and tok.text not in self.varnames:
            self.pos += 1
            return TRUE if tok.text == "TRUE" else FALSE
        if tok.kind == "lparen":
            # "(x + 1)^2 > 0" is an atom, "(x > 0 /\ y > 0)" a bracketed formula: try the atom
            start = self.pos
            try:
                return self.atom()
            except ParseError as atom_err:
                self.pos = start + 1
                try:
                    f = self.formula()
                except ParseError as formula_err:
                    raise _further(atom_err, formula_err) from None
                close = self.peek()
                if close.kind != "rparen":
                    err = self.error(close, f"expected ')' to close the '(' at line {tok.line}, "
                                     f"column {tok.column}, found {self.describe(close)}")
                    raise _further(atom_err, err) from None
                self.pos += 1
                return f
        return self.atom()

    @staticmethod
    def describe(tok):
        return "end of input" if tok.kind == "eof" else repr(tok.text)

    def quantified(self, letter):
        qtok = self.peek(1)
        self.pos += 2
        if letter not in ("E", "A"):
            raise self.error(qtok, f"QEPCAD's extended quantifier '{letter}' is not supported "
                             "(only E and A)")
        names = []
        while True:
            vtok = self.peek()
            if vtok.kind != "name":
                raise self.error(vtok, f"expected a variable after '{letter}', found "
                                 f"{self.describe(vtok)}")
            v = vtok.text
            if v not in self.varnames:
                raise self.error(vtok, f"quantified variable {v!r} is not declared in the variable "
                                 f"list ({', '.join(self.ring.variables) or 'empty'})")
            if v in self.free and (self.quantifiable is not None and v not in self.quantifiable):
                raise self.error(vtok, f"variable {v!r} is one of the {self.nfree} free variables "
                                 f"({', '.join(sorted(self.free, key=self.ring.variables.index))})"
                                 " and cannot be quantified")
            if self.quantifiable is not None and v not in self.quantifiable:
                raise self.error(vtok, f"variable {v!r} cannot be quantified here (assumptions "
                                 "are quantifier-free)")
            names.append(v)
            self.pos += 1
            sep = self.peek()
            if sep.kind == "comma":
                self.pos += 1
                continue
            if sep.kind != "rparen":
                raise self.error(sep, f"expected ')' after the quantified variable {v!r}, found "
                                 f"{self.describe(sep)}")
            self.pos += 1
            break
        self.scope.extend(names)
        try:
            body = self.unary()
        finally:
            del self.scope[len(self.scope) - len(names):]
        return exists(names, body) if letter == "E" else forall(names, body)

    def root_atom_ahead(self):
        t0, t1, t2 = self.peek(), self.peek(1), self.peek(2)
        return (t0.kind == "name" and t1.kind == "op" and t1.text in _REL_TOKENS
                and t2.kind == "name" and t2.text.startswith("_root_"))

    def root_atom(self):
        """``var rel _root_k poly``: a :class:`cad.logic.ast.RootAtom` (``k`` may be negative,
        written ``_root_-1``, and is never 0, as in QEPCAD B)."""
        vtok, rtok, ktok = self.peek(), self.peek(1), self.peek(2)
        self.pos += 3
        digits = ktok.text[len("_root_"):]
        sign = 1
        if not digits:
            minus, num = self.peek(), self.peek(1)
            if not (self.is_op(minus, "-") and num.kind == "num" and num.line == ktok.line
                    and minus.column == ktok.column + len(ktok.text)):
                raise self.error(ktok, "expected the root index after '_root_', e.g. _root_1 "
                                 "or _root_-1")
            digits, sign = num.text, -1
            self.pos += 2
        if not digits.isdigit() or int(digits) == 0:
            raise self.error(ktok, f"bad root index in {ktok.text!r}: expected a non-zero "
                             "integer, e.g. _root_1 or _root_-1")
        start = self.pos
        p, self.pos = parse_polynomial_tokens(self.toks, self.pos, self.ring)
        self.check_scope([vtok] + list(self.toks[start:self.pos]))
        try:
            return RootAtom(vtok.text, rtok.text, sign * int(digits),
                            clear_denominators(p, self.ring.ctx))
        except InputError as e:
            raise self.error(vtok, str(e)) from None

    def check_scope(self, toks):
        """Every variable occurrence must be free-allowed or bound by an enclosing quantifier."""
        for t in toks:
            if t.kind == "name" and t.text not in self.free and t.text not in self.scope:
                raise self.error(t, f"variable {t.text!r} occurs outside any quantifier binding "
                                 "it, but it is not a free variable"
                                 + (f" (the free variables are the first {self.nfree}: "
                                    f"{', '.join(self.ring.variables[:self.nfree]) or 'none'})"
                                    if self.nfree is not None else ""))

    def atom(self):
        if self.root_atom_ahead():
            return self.root_atom()
        start = self.pos
        polys = []
        rels = []
        p, self.pos = parse_polynomial_tokens(self.toks, self.pos, self.ring)
        polys.append(p)
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in _REL_TOKENS:
                self.pos += 1
                rels.append(tok.text)
                p, self.pos = parse_polynomial_tokens(self.toks, self.pos, self.ring)
                polys.append(p)
                continue
            break
        if not rels:
            tok = self.peek()
            raise self.error(tok, "expected a relation (=, /=, <, <=, >, >=) after the "
                             f"polynomial, found {self.describe(tok)}")
        self.check_scope(self.toks[start:self.pos])
        ctx = self.ring.ctx
        parts = [atom(clear_denominators(polys[i] - polys[i + 1], ctx), r, ctx=ctx)
                 for i, r in enumerate(rels)]
        return conj(*parts)


def _further(e1: ParseError, e2: ParseError) -> ParseError:
    """The error that got further into the text (better message after backtracking)."""
    k1 = (e1.line or 0, e1.column or 0)
    k2 = (e2.line or 0, e2.column or 0)
    return e2 if k2 >= k1 else e1



def parse_formula(text: str, ring, line_offset: int = 0, column_offset: int = 0) -> Formula:
    """Parse a formula in QEPCAD B syntax over ``ring`` (every ring variable may occur free or be
    quantified; an optional final ``.`` is allowed).  Polynomials are in ``ring.ctx``; quantifiers
    are kept where they are written (no renaming)."""
    toks = tokenize(text, line_offset, column_offset)
    p = FormulaParser(toks, 0, ring, set(ring.variables), quantifiable=None)
    if toks[0].kind == "eof":
        raise ParseError("empty formula", toks[0].line, toks[0].column)
    f = p.formula()
    tok = toks[p.pos]
    if tok.kind == "dot":
        tok = toks[p.pos + 1]
    if tok.kind != "eof":
        if tok.kind in ("rbrack", "rparen"):
            raise ParseError(f"unbalanced {tok.text!r}", tok.line, tok.column)
        raise ParseError(f"unexpected {tok.text!r} after the formula", tok.line, tok.column)
    return f


# Infix connectives: the QEPCAD B operator of each class.
_INFIX = {And: " /\\ ", Or: " \\/ ", Implies: " ==> ", Iff: " <==> "}


def to_str(formula: Formula, ring=None) -> str:
    """The formula in QEPCAD B syntax, as QEPCAD prints it:
    ``4 a c - b^2 <= 0 /\\ [ c = 0 \\/ a /= 0 ]``.  Compound subformulas of compound formulas
    are bracketed (QEPCAD requires it when ``/\\`` and ``\\/`` mix), negation is ``[~ F]``,
    quantifiers ``(E x)(A y)[ F ]``.  The output parses back with :func:`parse_formula`."""
    return format_formula(formula)


def format_formula(f) -> str:
    """:func:`to_str` of ``f``."""
    op = _INFIX.get(type(f))
    if op is not None:
        return op.join(_sub(c) for c in f.children())
    if isinstance(f, Atom):
        return f"{poly_str(f.poly)} {f.rel} 0"
    if isinstance(f, RootAtom):
        return f"{f.var} {f.rel} _root_{f.index} {poly_str(f.poly)}"
    if isinstance(f, Truth):
        return "TRUE" if f.value else "FALSE"
    if isinstance(f, Not):
        return f"[~ {_sub(f.arg)}]"
    if isinstance(f, Quantifier):
        prefix = "".join(f"({f.letter} {v})" for v in f.variables)
        if isinstance(f.body, Quantifier):
            return prefix + format_formula(f.body)
        return f"{prefix}[ {format_formula(f.body)} ]"
    raise InputError(f"not a formula: {f!r}")


def _sub(f):
    """``f`` bracketed when it is compound (an infix connective)."""
    s = format_formula(f)
    return f"[ {s} ]" if type(f) in _INFIX else s
