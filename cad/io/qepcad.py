"""QEPCAD B files: the input-file reader :func:`parse_qepcad`, the reader of QEPCAD's answer
:func:`parse_qepcad_output_formula`, and the writer :func:`to_qepcad` (with :func:`qepcad_names`).

The formula grammar and :func:`to_str` are in :mod:`cad.io.qepcad_syntax`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping

from cad.errors import InputError, ParseError
from cad.io.qepcad_syntax import FormulaParser, parse_formula, to_str, format_formula
from cad.logic.ast import TRUE, Formula, Problem, Truth
from cad.logic.build import conj
from cad.logic.prenex import prenex_problem, split_prefix, standard_problem
from cad.logic.transform import rename_variables
from cad.nesting import check_nesting, deep, few_brackets
from cad.poly import PolyRing, tokenize

__all__ = ["parse_qepcad", "parse_qepcad_output_formula", "to_qepcad", "qepcad_names",
           "parse_formula", "to_str", "QepcadCommandWarning"]


class QepcadCommandWarning(UserWarning):
    """A command between the formula and ``finish`` that QEPCAD B does not know or does not
    run at that point (it says so and goes on); ignored here as well."""

_QEPCAD_NOARG_COMMANDS = {
    "go", "continue", "prop-eqn-const", "full-cad", "measure-zero-error", "proj-default",
    "step", "trace-off", "use-db", "d-stat", "d-all-cells", "d-proj-factors", "d-pf",
}
_QEPCAD_ARG_COMMANDS = {"proj-op", "proj-operator", "approx-precision", "solution-extension", "eqn-const"}


def _text_pos(text, index):
    """1-based (line, column) of ``text[index]``."""
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def _matching_bracket(text, i):
    """Index of the ']' closing the '[' at ``text[i]`` (brackets nest, as QEPCAD B reads the
    informal description), -1 when it is never closed."""
    depth = 0
    for m in re.compile(r"[\[\]]").finditer(text, i):
        depth += 1 if m.group() == "[" else -1
        if depth == 0:
            return m.start()
    return -1


def _check_token_nesting(toks):
    """ParseError at the first bracket or parenthesis nested deeper than the nesting limit."""
    depth = 0
    for tok in toks:
        if tok.kind in ("lparen", "lbrack"):
            depth += 1
            check_nesting(depth, tok.line, tok.column)
        elif tok.kind in ("rparen", "rbrack"):
            depth -= 1


@deep(shallow=few_brackets)
def parse_qepcad(text: str, source=None) -> Problem:
    """Parse a QEPCAD B input file.

    Layout (QEPCAD B's prompts, in order): ``[informal description]``, the variable list
    ``(x,y,z)``, the number ``k`` of free variables (the first ``k`` of the list), the formula
    ending with ``.``, optional commands, ``finish``.  Between the formula and ``finish`` the
    commands ``assume [F]`` (kept in :attr:`Problem.assumptions`), ``go``, ``continue``,
    ``prop-eqn-const``, ``full-cad``, ``measure-zero-error``, ``proj-default``, ``proj-op (...)``, ``proj-operator (...)``,
    ``approx-precision N``, ``eqn-const ...`` and ``solution-extension ...`` are accepted (and
    ignored: they change how QEPCAD computes, not the answer's meaning), and so are
    ``[ comments ]``.  Any other command (``prenex``, ``sol T``, a typo) is skipped with the
    rest of its line after a :class:`QepcadCommandWarning`, as QEPCAD B skips it with an
    error message and answers all the same; ``quit`` is an error.  Text after ``finish`` is
    ignored, as QEPCAD B does.  The informal description may contain nested brackets.
    Brackets nested deeper than :data:`cad.nesting.MAX_NESTING` are a :class:`ParseError`.

    The formula may be non-prenex (quantifiers anywhere, also under ``~``, ``==>``, ``<==>``); see
    :mod:`cad.logic.prenex` for the standard form of the returned problem.  Every error is a
    :class:`ParseError` with 1-based line and column: missing ``finish``/``.``/brackets, a bad
    free-variable count, undeclared or non-free variables, quantified free variables,
    non-polynomial terms (``1/x``, ``x^-1``, decimals).  Atoms of QEPCAD B's extended language
    ``x rel _root_k p`` are read as :class:`cad.logic.RootAtom` (``p``'s main variable must be
    ``x``, ``k`` a non-zero integer, as QEPCAD B requires).
    """
    if not isinstance(text, str):
        raise InputError(f"expected the text of a QEPCAD B input file, got {type(text).__name__}")
    # ---- informal description: '[' ... first ']'
    i = 0
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        raise ParseError("empty input: expected '[' starting the informal description", 1, 1,
                         source)
    if text[i] != "[":
        line, col = _text_pos(text, i)
        raise ParseError(f"expected '[' starting the informal description, found {text[i]!r}",
                         line, col, source)
    j = _matching_bracket(text, i)
    if j < 0:
        line, col = _text_pos(text, i)
        raise ParseError("unterminated informal description: no ']' closes this '['", line, col,
                         source)
    description = text[i + 1:j].strip()
    line, col = _text_pos(text, j)
    rest = text[j + 1:]
    try:
        try:
            toks = tokenize(rest, line_offset=line - 1, column_offset=col)
        except ParseError as lex_err:
            # QEPCAD B stops reading at 'finish': a stray character after it is harmless, so
            # parse the text before the character and report it only if 'finish' is not reached
            li = lex_err.line - line
            lines = rest.split("\n")
            idx = sum(len(ln) + 1 for ln in lines[:li]) + lex_err.column - 1 - (col if li == 0 else 0)
            toks = tokenize(rest[:idx], line_offset=line - 1, column_offset=col)
            _check_token_nesting(toks)
            try:
                return _parse_qepcad_tokens(toks, description)
            except ParseError:
                raise lex_err from None
        _check_token_nesting(toks)
        return _parse_qepcad_tokens(toks, description)
    except ParseError as e:
        if source and not e.source:
            raise ParseError(e.message, e.line, e.column, source) from None
        raise


def _parse_qepcad_tokens(toks, description):
    pos = 0

    def describe(tok):
        return "end of input" if tok.kind == "eof" else repr(tok.text)

    def err(tok, msg):
        return ParseError(msg, tok.line, tok.column)

    # ---- variable list
    tok = toks[pos]
    if tok.kind != "lparen":
        raise err(tok, f"expected the variable list, e.g. (x,y,z), found {describe(tok)}")
    open_tok = tok
    pos += 1
    variables = []
    if toks[pos].kind == "rparen":
        pos += 1
    else:
        while True:
            tok = toks[pos]
            if tok.kind != "name":
                raise err(tok, f"expected a variable name in the variable list, found "
                          f"{describe(tok)}")
            if tok.text in variables:
                raise err(tok, f"variable {tok.text!r} is listed twice")
            if tok.text in ("TRUE", "FALSE"):
                raise err(tok, f"{tok.text!r} cannot be a variable name")
            variables.append(tok.text)
            pos += 1
            tok = toks[pos]
            if tok.kind == "comma":
                pos += 1
                continue
            if tok.kind == "rparen":
                pos += 1
                break
            raise err(tok, f"expected ',' or ')' in the variable list opened at line "
                      f"{open_tok.line}, column {open_tok.column}, found {describe(tok)}")
    r = len(variables)
    # ---- number of free variables
    tok = toks[pos]
    if tok.kind != "num" or "." in tok.text:
        if tok.kind == "op" and tok.text == "-":
            raise err(tok, "the number of free variables cannot be negative")
        raise err(tok, "expected the number of free variables (an integer between 0 and "
                  f"{r}), found {describe(tok)}")
    k = int(tok.text)
    if k > r:
        raise err(tok, f"the number of free variables {k} exceeds the number of variables {r} "
                  f"({', '.join(variables) or 'none'})")
    pos += 1
    ring = PolyRing(variables)
    free = tuple(variables[:k])
    parser = FormulaParser(toks, pos, ring, free, quantifiable=set(variables[k:]), nfree=k)
    if toks[pos].kind in ("eof",):
        raise err(toks[pos], "missing formula after the number of free variables")
    formula = parser.formula()
    pos = parser.pos
    tok = toks[pos]
    if tok.kind != "dot":
        if tok.kind == "rbrack":
            raise err(tok, "unbalanced ']': no '[' is open here")
        if tok.kind == "rparen":
            raise err(tok, "unbalanced ')': no '(' is open here")
        raise err(tok, f"expected '.' ending the formula, found {describe(tok)}")
    last = tok
    pos += 1
    # ---- commands, then finish
    assumptions = TRUE
    while True:
        tok = toks[pos]
        if tok.kind == "eof":
            end_line, end_col = last.line, last.column + len(last.text)
            raise ParseError("missing 'finish' at the end of the input (after the formula's '.' "
                             f"or the last command)", end_line, end_col)
        if tok.kind == "lbrack":   # a [ comment ], brackets nested
            depth = 0
            while toks[pos].kind != "eof":
                depth += {"lbrack": 1, "rbrack": -1}.get(toks[pos].kind, 0)
                pos += 1
                if depth == 0:
                    break
            if depth:
                raise err(tok, "unterminated comment: no ']' closes this '['")
            last = toks[pos - 1]
            continue
        if tok.kind != "name":
            raise err(tok, f"expected 'finish' (or a QEPCAD command) after the formula, found "
                      f"{describe(tok)}")
        # a command name may contain dashes: prop-eqn-const
        name = tok.text
        start = tok
        pos += 1
        while (toks[pos].kind == "op" and toks[pos].text == "-" and toks[pos + 1].kind == "name"
               and toks[pos].line == start.line):
            name += "-" + toks[pos + 1].text
            pos += 2
        if name == "finish":
            break
        if name == "quit":
            raise err(start, "'quit' makes QEPCAD B stop without an answer; end the input with "
                      "'finish'")
        if name == "assume":
            if toks[pos].kind != "lbrack":
                raise err(toks[pos], f"expected '[' after 'assume', found {describe(toks[pos])}")
            ap = FormulaParser(toks, pos, ring, free, quantifiable=set(), nfree=k)
            a = ap.unary()
            pos = ap.pos
            assumptions = conj(assumptions, a)
            last = toks[pos - 1]
            continue
        if name in _QEPCAD_NOARG_COMMANDS:
            last = toks[pos - 1]
            continue
        if name in _QEPCAD_ARG_COMMANDS:
            # skip the arguments: the rest of the command's line
            while toks[pos].kind != "eof" and toks[pos].line == start.line:
                pos += 1
            last = toks[pos - 1]
            continue
        # QEPCAD B reports the command and goes on: skip it with the rest of its line
        while toks[pos].kind != "eof" and toks[pos].line == start.line:
            pos += 1
        last = toks[pos - 1]
        warnings.warn(f"line {start.line}, column {start.column}: QEPCAD command {name!r} is "
                      "unknown or not available before 'finish'; ignored with the rest of its "
                      "line, as QEPCAD B does", QepcadCommandWarning, stacklevel=2)
    hint = {v: i for i, v in enumerate(variables)}
    return standard_problem(variables, free, formula, description, assumptions, hint=hint)


_QEPCAD_ANSWER_MARK = "An equivalent quantifier-free formula:"


def parse_qepcad_output_formula(text: str, ring, names: Mapping[str, str] | None = None) -> Formula:
    """Parse the quantifier-free formula QEPCAD B prints.

    ``text`` is either the whole QEPCAD B output (the formula after ``An equivalent
    quantifier-free formula:`` up to the next blank line / ``=====`` rule is used) or just the
    formula.  QEPCAD writes ``TRUE``/``FALSE``, products by juxtaposition, ``[ ]`` brackets and
    may break long formulas over lines; its extended answers (``sol E``) have root atoms
    ``x2 < _root_1 p``, read as :class:`cad.logic.RootAtom`.  ``names`` maps the names QEPCAD printed to ring names
    (see :func:`qepcad_names`).  Raises :class:`ParseError` when the text holds no formula,
    e.g. when QEPCAD reported an error.
    """
    offset_line = 0
    idx = text.find(_QEPCAD_ANSWER_MARK)
    if idx >= 0:
        offset_line = text.count("\n", 0, idx)
        body = text[idx + len(_QEPCAD_ANSWER_MARK):]
        lines = body.split("\n")
        chunk = []
        started = False
        for ln in lines:
            s = ln.strip()
            if s.startswith("====="):
                break
            if not s:
                if started:
                    break
                chunk.append("")
                continue
            started = True
            chunk.append(ln)
        text = "\n".join(chunk)
    elif "Error" in text and "=====" in text:
        m = re.search(r"Error[^\n]*", text)
        raise ParseError(f"QEPCAD B reported an error: {m.group(0) if m else 'unknown'}")
    toks = tokenize(text, line_offset=offset_line)
    if names:
        inv = dict(names)
        toks = [t._replace(text=inv.get(t.text, t.text)) if t.kind == "name" else t for t in toks]
    if toks[0].kind == "eof":
        raise ParseError("no formula found in QEPCAD B's output", toks[0].line, toks[0].column)
    p = FormulaParser(toks, 0, ring, set(ring.variables), quantifiable=None)
    f = p.formula()
    tok = toks[p.pos]
    if tok.kind == "dot":
        tok = toks[p.pos + 1]
    if tok.kind != "eof":
        raise ParseError(f"unexpected {tok.text!r} after the formula", tok.line, tok.column)
    return f




_QEPCAD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")
_QEPCAD_RESERVED = {"E", "A", "F", "G", "C", "TRUE", "FALSE", "finish"}


def qepcad_names(ring) -> dict:
    """``{ring name: name used in QEPCAD B files}``; QEPCAD names are letters and digits only, so
    ``w1_0_1`` becomes ``w101`` (made unique).  Identity for ordinary names."""
    variables = ring.variables if hasattr(ring, "variables") else tuple(ring)
    out = {}
    taken = {v for v in variables if _QEPCAD_NAME.match(v) and v not in _QEPCAD_RESERVED}
    for v in variables:
        if v in taken:
            out[v] = v
            continue
        base = re.sub(r"[^A-Za-z0-9]", "", v)
        if not base or not base[0].isalpha():
            base = "v" + base
        cand = base
        k = 1
        while cand in taken or cand in _QEPCAD_RESERVED:
            cand = f"{base}{k}"
            k += 1
        taken.add(cand)
        out[v] = cand
    return out


def _qepcad_matrix(f):
    """Like :func:`to_str` but without TRUE/FALSE, which QEPCAD B's input reader does not know."""
    if isinstance(f, Truth):
        return "0 = 0" if f.value else "1 = 0"
    return format_formula(f)


def to_qepcad(problem: Problem) -> str:
    """A complete QEPCAD B input file for ``problem``.

    QEPCAD B wants a prenex formula whose quantified variables are listed in the variable list in
    prefix order, names of letters and digits, and no TRUE/FALSE atoms; the problem is put in
    that form with :func:`prenex_problem` and :func:`qepcad_names` (renamings are listed in the
    informal description).  Assumptions become an ``assume`` command."""
    p = prenex_problem(problem)
    ring = p.ring
    ren = qepcad_names(ring)
    renamed = {v: w for v, w in ren.items() if v != w}
    f = p.formula
    a = p.assumptions
    if renamed:
        new_ring = PolyRing([ren[v] for v in ring.variables])
        f = rename_variables(f, new_ring.ctx, ren)
        if a != TRUE:
            a = rename_variables(a, new_ring.ctx, ren)
        ring = new_ring
    variables = list(ring.variables)
    k = len(p.free)
    desc = (p.description or "").replace("]", ")").replace("[", "(")
    if renamed:
        note = "variables renamed: " + ", ".join(f"{v} -> {w}" for v, w in renamed.items())
        desc = f"{desc}; {note}" if desc else note
    if not variables:  # QEPCAD needs a variable: add an unused, quantified one
        variables = ["v"]
        head, matrix = "(E v)", f
    else:
        split = split_prefix(f)
        prefix, matrix = split
        head = "".join(f"({q} {v})" for q, vs in prefix for v in vs)
    out = [f"[{desc}]", "(" + ",".join(variables) + ")", str(k),
           f"{head}[{_qepcad_matrix(matrix)}]."]
    if a != TRUE:
        out.append(f"assume [{_qepcad_matrix(a)}]")
    out.append("finish")
    return "\n".join(out) + "\n"


