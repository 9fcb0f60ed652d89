"""The lexer of QEPCAD B's input language and the polynomial parser.

QEPCAD B input syntax: Brown, "QEPCAD B: a program for computing with semi-algebraic
sets using CADs", SIGSAM Bulletin 37(4), 2003, and the QEPCAD B user documentation on
input formulas.  The lexer is shared by the polynomial parser here and the formula
parser:

* :func:`tokenize` turns text into :class:`Token` values;
* :func:`parse_polynomial_tokens` parses the longest polynomial expression that
  starts at a token position (recursive descent, juxtaposition is
  multiplication, as in QEPCAD: ``3 x^2 y - z``, ``2(x + 1)``, ``1/2 x``).
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Sequence

from flint import fmpq_mpoly, fmpz, fmpz_mpoly

from cad.poly.size import MAX_COEFFICIENT_BITS, check_power, check_product, integer_literal

from cad.errors import InputError, ParseError

__all__ = ["Token", "tokenize", "parse_polynomial_tokens", "NAME_RE"]

#: A variable name: a letter or underscore followed by letters, digits and underscores.
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# --------------------------------------------------------------------------- lexer


class Token(namedtuple("Token", "kind text line column")):
    """One lexical token.  ``line`` and ``column`` are 1-based and point at its first character.

    ``kind`` is one of

    ``'num'``     an unsigned decimal literal: digits (``12``), or digits '.' digits (``1.5``; the
                  polynomial parser rejects the latter, QEPCAD has no decimal numbers);
    ``'name'``    an identifier ``[A-Za-z_][A-Za-z0-9_]*`` -- variables and also keywords such as
                  ``E``, ``A``, ``finish`` (the formula parser interprets them by text);
    ``'op'``      an operator; text is one of
                  arithmetic ``+ - * / ^`` (and ``**``, which the polynomial parser rejects with a hint),
                  relations ``= /= < <= > >=``,
                  connectives ``/\\ \\/ ~ ==> <== <==>``;
    ``'lparen'`` ``'rparen'``  ``(`` ``)`` ;  ``'lbrack'`` ``'rbrack'``  ``[`` ``]`` ;
    ``'lbrace'`` ``'rbrace'``  ``{`` ``}`` ;
    ``'comma'`` ``,`` ; ``'dot'`` ``.`` (QEPCAD's formula terminator) ; ``'semi'`` ``;`` ;
    ``'colon'`` ``:`` ;
    ``'eof'``     end of input (always the last token; text ``''``).

    (A ``collections.namedtuple``: ``typing.NamedTuple`` would cost the command line the
    import of ``typing``.)
    """

    __slots__ = ()


# Longest operators first so that '<==>' wins over '<==' over '<=' over '<'.
_OPS = ["<==>", "==>", "<==", "**", "<=", ">=", "/=", "/\\", "\\/", "=", "<", ">", "~", "+", "-", "*", "/", "^"]
_PUNCT = {
    "(": "lparen", ")": "rparen", "[": "lbrack", "]": "rbrack", "{": "lbrace", "}": "rbrace",
    ",": "comma", ".": "dot", ";": "semi", ":": "colon",
}
_TOKEN_RE = re.compile(
    r"(?P<ws>[ \t\r\f\v]+)|(?P<nl>\n)"
    r"|(?P<num>[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>" + "|".join(re.escape(o) for o in _OPS) + r")"
    r"|(?P<punct>[" + re.escape("".join(_PUNCT)) + r"])"
    r"|(?P<bad>.)",
    re.DOTALL,
)


def tokenize(text: str, line_offset: int = 0, column_offset: int = 0) -> list[Token]:
    """Split ``text`` into :class:`Token` values (see :class:`Token` for the kinds), ending with ``'eof'``.

    ``line_offset`` is added to every line number (for text cut out of a larger file) and
    ``column_offset`` to the columns of the first line.  Raises :class:`ParseError` at the first
    character that starts no token.
    """
    if not isinstance(text, str):
        raise InputError(f"expected text to tokenize, got {type(text).__name__}")
    tokens: list[Token] = []
    append = tokens.append
    line = 1 + line_offset
    line_start = -column_offset  # column = pos - line_start + 1
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "ws":
            continue
        start = m.start()
        if kind == "nl":
            line += 1
            line_start = start + 1
            continue
        tok = m.group()
        if kind == "punct":
            kind = _PUNCT[tok]
        elif kind == "bad":
            raise ParseError(f"unexpected character {tok!r}", line, start - line_start + 1)
        append(Token(kind, tok, line, start - line_start + 1))
    append(Token("eof", "", line, len(text) - line_start + 1))
    return tokens


def _describe(tok: Token) -> str:
    return "end of input" if tok.kind == "eof" else repr(tok.text)


def _error(tok: Token, message: str) -> ParseError:
    return ParseError(message, tok.line, tok.column)


# ------------------------------------------------------- rational polys as (numerator, denominator)
#
# Parsing and sympy conversion build polynomials with fmpz_mpoly arithmetic and carry one positive
# fmpz denominator, because fmpz_mpoly arithmetic is faster than fmpq_mpoly and because
# PolyRing.parse wants the numerator anyway.  Invariant: den > 0 and gcd(content(num), den) == 1.

_ONE = fmpz(1)


def _reduce(num: fmpz_mpoly, den: fmpz):
    if den == 1:
        return num, den
    g = num.content().gcd(den)
    if g != 1:
        return num / g, den // g  # exact: g divides every coefficient
    return num, den


def _q_add(a, b, negate=False):
    (an, ad), (bn, bd) = a, b
    if ad == bd:
        num = an - bn if negate else an + bn
        return _reduce(num, ad)
    g = ad.gcd(bd)
    fa, fb = bd // g, ad // g
    num = an * fa - bn * fb if negate else an * fa + bn * fb
    return _reduce(num, ad * fa)


def _q_sum(terms):
    """Sum of a non-empty list of (num, den) pairs by balanced pairwise addition."""
    while len(terms) > 1:
        nxt = [_q_add(terms[k], terms[k + 1]) for k in range(0, len(terms) - 1, 2)]
        if len(terms) % 2:
            nxt.append(terms[-1])
        terms = nxt
    return terms[0]


def _q_mul(a, b):
    (an, ad), (bn, bd) = a, b
    if ad == 1 and bd == 1:
        return an * bn, _ONE
    return _reduce(an * bn, ad * bd)


def _q_to_fmpq_mpoly(num: fmpz_mpoly, den: fmpz, qctx) -> fmpq_mpoly:
    q = fmpq_mpoly(num, qctx)
    return q if den == 1 else q / den


# --------------------------------------------------------------------------- parser


class _Parser:
    """Recursive descent over a token list (grammar in :func:`parse_polynomial_tokens`)."""

    __slots__ = ("toks", "pos", "ring", "ctx", "gens", "index")

    def __init__(self, tokens, pos, ring):
        self.toks = tokens
        self.pos = pos
        self.ring = ring
        self.ctx = ring.ctx
        self.gens = ring.gens
        self.index = ring._index

    def expr(self):
        toks = self.toks
        tok = toks[self.pos]
        negate = False
        if tok.kind == "op" and tok.text in ("+", "-"):
            negate = tok.text == "-"
            self.pos += 1
        value = self.term()
        if negate:
            value = (-value[0], value[1])
        tok = toks[self.pos]
        if not (tok.kind == "op" and tok.text in ("+", "-")):
            return value
        # A sum: collect the terms and add them pairwise (balanced), so a long sum of n terms
        # costs O(n log n) term merges instead of the O(n^2) of a left-to-right fold.
        terms = [value]
        while tok.kind == "op" and tok.text in ("+", "-"):
            self.pos += 1
            tnum, tden = self.term()
            terms.append((-tnum, tden) if tok.text == "-" else (tnum, tden))
            tok = toks[self.pos]
        return _q_sum(terms)

    def term(self):
        toks = self.toks
        value = self.factor()
        while True:
            tok = toks[self.pos]
            kind = tok.kind
            if kind == "op":
                if tok.text == "*":
                    self.pos += 1
                    value = self.times(value, self.factor(), tok)
                    continue
                if tok.text == "/":
                    self.pos += 1
                    dtok = toks[self.pos]
                    dnum, dden = self.factor()
                    if not dnum.is_constant():
                        raise _error(dtok, "division by the non-constant polynomial "
                                     f"{self.ring.to_str(dnum)!s} (only division by a non-zero "
                                     "rational constant is allowed)")
                    c = fmpz(dnum.leading_coefficient()) if not dnum.is_zero() else fmpz(0)
                    if c == 0:
                        raise _error(dtok, "division by zero")
                    num, den = value
                    if c < 0:
                        num, c = -num, -c
                    value = _reduce(num * dden, den * c)
                    continue
                if tok.text == "**":
                    raise _error(tok, "'**' is not QEPCAD syntax; write powers with '^'")
                if tok.text == "^":
                    raise _error(tok, "a power cannot be raised to a power; use parentheses")
                return value
            if kind == "num" or kind == "name" or kind == "lparen":
                # juxtaposition is multiplication: "3 x^2 y", "2(x + 1)"
                value = self.times(value, self.factor(), tok)
                continue
            return value

    def factor(self):
        toks = self.toks
        tok = toks[self.pos]
        if tok.kind == "op" and tok.text in ("+", "-"):
            # a sign inside a product, e.g. "x * -y"
            self.pos += 1
            num, den = self.factor()
            return (-num if tok.text == "-" else num), den
        base = self.atom()
        tok = toks[self.pos]
        if tok.kind == "op" and tok.text == "^":
            self.pos += 1
            etok = toks[self.pos]
            if etok.kind != "num" or "." in etok.text:
                if etok.kind == "op" and etok.text == "-":
                    raise _error(etok, "negative exponents are not allowed (exponents are "
                                 "non-negative integers)")
                raise _error(etok, f"expected a non-negative integer exponent after '^', found "
                             f"{_describe(etok)}")
            self.pos += 1
            e = int(integer_literal(etok.text, lambda msg: _error(etok, msg)))
            num, den = base
            if e == 1:
                return base
            check_power(num, e, lambda msg: _error(etok, msg))
            if den != 1 and den.bit_length() * e > MAX_COEFFICIENT_BITS:
                raise _error(etok, f"the power's denominator may have {den.bit_length() * e} "
                             f"bits, over the limit of {MAX_COEFFICIENT_BITS} bits")
            return num ** e, (den ** e if den != 1 else den)
        return base

    def times(self, left, right, tok):
        """``left * right``, refused up front when the product would exceed a size limit."""
        check_product(left[0], right[0], lambda msg: _error(tok, msg))
        if left[1].bit_length() + right[1].bit_length() > MAX_COEFFICIENT_BITS:
            raise _error(tok, "the product's denominator exceeds the limit of "
                         f"{MAX_COEFFICIENT_BITS} bits")
        return _q_mul(left, right)

    def atom(self):
        toks = self.toks
        tok = toks[self.pos]
        kind = tok.kind
        if kind == "num":
            if "." in tok.text:
                raise _error(tok, f"decimal number {tok.text!r} is not allowed; write it as a "
                             "fraction of integers, e.g. 3/2")
            self.pos += 1
            return self.ctx.constant(integer_literal(tok.text, lambda msg: _error(tok, msg))), _ONE
        if kind == "name":
            i = self.index.get(tok.text)
            if i is None:
                raise _error(tok, f"unknown variable {tok.text!r} (the variables are "
                             f"{', '.join(self.ring.variables) or 'none'})")
            self.pos += 1
            return self.gens[i], _ONE
        if kind == "lparen":
            self.pos += 1
            value = self.expr()
            close = toks[self.pos]
            if close.kind != "rparen":
                raise _error(close, f"expected ')' to close the '(' at line {tok.line}, column "
                             f"{tok.column}, found {_describe(close)}")
            self.pos += 1
            return value
        raise _error(tok, f"expected a polynomial term (number, variable or '('), found "
                     f"{_describe(tok)}")


def _parse_tokens(tokens, pos, ring):
    p = _Parser(tokens, pos, ring)
    num, den = p.expr()
    return num, den, p.pos


def parse_polynomial_tokens(tokens: Sequence[Token], pos: int, ring: "PolyRing"):
    """Parse the longest polynomial expression starting at ``tokens[pos]``; return ``(fmpq_mpoly, newpos)``.

    Grammar (QEPCAD B input syntax; recursive descent)::

        expr   := ['+'|'-'] term (('+'|'-') term)*
        term   := factor (('*' | '/' | <juxtaposition>) factor)*     -- left associative
        factor := ('+'|'-') factor | atom ['^' INTEGER]
        atom   := INTEGER | VARIABLE | '(' expr ')'

    Juxtaposition (a factor starting with a number, a name or '(' right after a factor) is
    multiplication, so ``3 x^2 y``, ``2(x+1)``, ``1/2 x`` = ``(1/2) x``.  Exponents are non-negative
    integer literals; ``/`` divides only by a non-zero rational constant.  Stops at the first token
    that cannot continue the expression (e.g. a relation, ``]``, ``.``, ``eof``).  Raises
    :class:`ParseError` with the offending token's line and column; unknown names are reported as
    unknown variables.  ``tokens`` must end with an ``'eof'`` token (as :func:`tokenize` produces).
    """
    num, den, newpos = _parse_tokens(tokens, pos, ring)
    return _q_to_fmpq_mpoly(num, den, ring.qctx), newpos
