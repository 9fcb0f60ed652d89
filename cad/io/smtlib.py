"""SMT-LIB 2.6 over the reals: the reader :func:`parse_smtlib` and the writer :func:`to_smtlib`.

Barrett, Fontaine, Tinelli, "The SMT-LIB Standard: Version 2.6", theory of reals, logics
``QF_NRA``/``NRA``.  The reader builds s-expressions (:func:`_smt_read`), names every declared
constant and bound variable (:func:`_collect_binders`), then converts terms to polynomials and
formulas through the smart constructors (:class:`_SmtConverter`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flint import fmpq, fmpq_mpoly

from cad.errors import InputError, ParseError
from cad.logic.ast import FALSE, TRUE, And, Atom, Iff, Implies, Not, Or, Problem, Quantifier, Truth
from cad.logic.build import atom, conj, disj, exists, forall, iff, implies, negate
from cad.logic.polys import clear_denominators
from cad.logic.prenex import standard_problem
from cad.logic.queries import is_quantifier_free
from cad.nesting import check_nesting, deep, few_brackets
from cad.poly import PolyRing
from cad.poly.size import MAX_DIGITS, check_product, integer_literal

__all__ = ["parse_smtlib", "to_smtlib"]


@dataclass(eq=False)
class _SNode:
    """An s-expression: ``items`` for a list, else an atom with ``text`` and ``kind`` (``symbol``,
    ``quoted`` (|...|), ``num``, ``dec``, ``string``, ``keyword``, ``hex``, ``bin``)."""

    kind: str
    text: str
    line: int
    column: int
    items: list = field(default_factory=list)

    def err(self, msg):
        return ParseError(msg, self.line, self.column)

    def show(self):
        if self.kind == "list":
            return "(" + " ".join(i.show() for i in self.items) + ")"
        return f"|{self.text}|" if self.kind == "quoted" else self.text


_SMT_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\f\v]+)|(?P<nl>\n)|(?P<comment>;[^\n]*)"
    r"|(?P<lp>\()|(?P<rp>\))"
    r"|(?P<dec>[0-9]+\.[0-9]+)|(?P<num>[0-9]+)"
    r"|(?P<hex>#x[0-9A-Fa-f]+)|(?P<bin>#b[01]+)"
    r"|(?P<string>\"(?:[^\"]|\"\")*\")"
    r"|(?P<quoted>\|[^|\\]*\|)"
    r"|(?P<keyword>:[A-Za-z0-9~!@$%^&*_\-+=<>.?/]+)"
    r"|(?P<symbol>[A-Za-z~!@$%^&*_\-+=<>.?/][A-Za-z0-9~!@$%^&*_\-+=<>.?/]*)"
    r"|(?P<bad>.)",
)


def _smt_read(text):
    """Read all top-level s-expressions; ParseError with position on unbalanced parentheses."""
    stack = [_SNode("list", "", 1, 1)]
    line, line_start = 1, 0
    for m in _SMT_TOKEN.finditer(text):
        kind = m.lastgroup
        start = m.start()
        if kind == "nl":
            line += 1
            line_start = start + 1
            continue
        if kind in ("ws", "comment"):
            continue
        col = start - line_start + 1
        tok = m.group()
        if kind == "string" or kind == "quoted":
            # may span lines
            nls = tok.count("\n")
        else:
            nls = 0
        if kind == "bad":
            if tok == "|":
                raise ParseError("unterminated quoted symbol '|...'", line, col)
            if tok == '"':
                raise ParseError("unterminated string literal", line, col)
            raise ParseError(f"unexpected character {tok!r}", line, col)
        if kind == "lp":
            node = _SNode("list", "(", line, col)
            stack[-1].items.append(node)
            stack.append(node)
            check_nesting(len(stack) - 1, line, col)
        elif kind == "rp":
            if len(stack) == 1:
                raise ParseError("unbalanced ')': no '(' is open here", line, col)
            stack.pop()
        else:
            text_ = tok[1:-1] if kind == "quoted" else tok
            stack[-1].items.append(_SNode(kind, text_, line, col))
        if nls:
            line += nls
            line_start = start + tok.rfind("\n") + 1
    if len(stack) > 1:
        node = stack[-1]
        raise ParseError("unbalanced '(': this '(' is never closed", node.line, node.column)
    return stack[0].items


_SMT_IGNORED = {"set-logic", "set-info", "set-option", "get-model", "get-value", "exit",
                "get-info", "get-option", "echo", "get-assertions", "get-assignment",
                "get-unsat-core", "get-proof", "reset-assertions", "check-sat"}


_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _plain_names(commands):
    """Every symbol of the script that is already a PolyRing-valid name (iteratively: scripts
    may nest deeply).  Fresh names for the other symbols avoid these, so a user's own ``x_y``
    keeps its name next to a quoted ``|x y|``."""
    out = set()
    todo = list(commands)
    while todo:
        node = todo.pop()
        if node.kind == "list":
            todo.extend(node.items)
        elif node.kind in ("symbol", "quoted") and _PLAIN_NAME.match(node.text):
            out.add(node.text)
    return out


def _smt_name(sym: str, taken: set, reserved=frozenset()) -> str:
    """A PolyRing-valid name for an SMT-LIB symbol: ``sym`` itself for an ordinary name not yet
    ``taken``; otherwise a fresh name outside ``taken`` and ``reserved`` (the script's own
    ordinary names)."""
    if _PLAIN_NAME.match(sym) and sym not in taken:
        return sym
    base = re.sub(r"[^A-Za-z0-9_]", "_", sym)
    if not base or not (base[0].isalpha() or base[0] == "_"):
        base = "v_" + base
    cand = base
    k = 1
    while cand in taken or (cand in reserved and cand != sym):
        cand = f"{base}_{k}"
        k += 1
    return cand


@deep(shallow=few_brackets)
def parse_smtlib(text: str) -> Problem:
    """Parse an SMT-LIB2 script over the reals (logics ``QF_NRA``/``NRA``/``LRA``...).

    Supported: ``declare-const``/``declare-fun`` (no arguments) of sort ``Real``; ``define-fun``
    without arguments (sort ``Real`` or ``Bool``, used as a macro); ``assert``; ``check-sat``;
    ``set-logic``/``set-info``/``set-option``/``get-*``/``exit`` (ignored); terms ``+ - *``,
    ``(/ t c)`` with a non-zero constant ``c``, ``to_real``, numerals and decimals; formulas
    ``and or not => xor = distinct < <= > >=`` (chains as in SMT-LIB), ``true``/``false``,
    ``forall``/``exists`` over ``Real`` variables, ``let``, Boolean ``ite`` and ``!`` annotations.

    Semantics: the problem's free variables are the declared constants (in declaration order)
    and its formula is the conjunction of the assertions, so ``check-sat`` asks whether the
    existential closure holds; ``cad qe --smt2`` eliminates the quantifiers written inside the
    assertions and prints a formula in the declared constants.  Symbols that are not plain
    identifiers are renamed (``x!1`` -> ``x_1``, avoiding every ordinary name of the script).
    Parentheses nested deeper than :data:`cad.nesting.MAX_NESTING`, and numbers or products
    over the limits of :mod:`cad.poly.size`, are refused up front.  Errors are :class:`ParseError` with line and
    column, e.g. an unsupported sort names the sort.
    """
    if not isinstance(text, str):
        raise InputError(f"expected SMT-LIB2 text, got {type(text).__name__}")
    commands = _smt_read(text)
    reserved = _plain_names(commands)
    consts = []          # SMT symbols of the declared constants, in order
    ring_name = {}       # SMT symbol of a constant -> ring name
    taken = set()
    binder_name = {}     # id(binder node) -> ring name
    all_names = []
    description = ""

    def sym_of(node, what):
        if node.kind not in ("symbol", "quoted"):
            raise node.err(f"expected {what}, found {node.show()}")
        return node.text

    def check_sort(node, name):
        if node.kind == "list" or node.text != "Real":
            raise node.err(f"unsupported sort {node.show()} for {name!r} (only Real is supported)")

    def declare(sym, node):
        """A new constant ``sym`` (declared at ``node``): its ring name, in declaration order."""
        if sym in ring_name:
            raise node.err(f"{sym!r} is declared twice")
        rn = _smt_name(sym, taken, reserved)
        taken.add(rn)
        ring_name[sym] = rn
        consts.append(sym)
        all_names.append(rn)

    # ---- pass 1: declarations and binder names, in document order
    asserts = []
    macros_src = []
    for cmd in commands:
        if cmd.kind != "list" or not cmd.items:
            raise cmd.err(f"expected a command in parentheses, found {cmd.show()}")
        head = cmd.items[0]
        if head.kind != "symbol":
            raise head.err(f"expected a command name, found {head.show()}")
        name = head.text
        args = cmd.items[1:]
        if name == "declare-const":
            if len(args) != 2:
                raise cmd.err("declare-const takes a name and a sort")
            sym = sym_of(args[0], "a constant name")
            check_sort(args[1], sym)
            declare(sym, args[0])
        elif name == "declare-fun":
            if len(args) != 3:
                raise cmd.err("declare-fun takes a name, an argument sort list and a sort")
            sym = sym_of(args[0], "a function name")
            if args[1].kind != "list":
                raise args[1].err(f"expected the argument sort list of {sym!r}, found "
                                  f"{args[1].show()}")
            if args[1].items:
                raise args[1].err(f"{sym!r} has arguments: only constants (declare-fun {sym} () "
                                  "Real) are supported")
            check_sort(args[2], sym)
            declare(sym, args[0])
        elif name == "define-fun":
            if len(args) != 4:
                raise cmd.err("define-fun takes a name, an argument list, a sort and a body")
            sym = sym_of(args[0], "a function name")
            if args[1].kind != "list" or args[1].items:
                raise args[1].err(f"define-fun {sym!r} with arguments is not supported")
            srt = args[2]
            if srt.kind == "list" or srt.text not in ("Real", "Bool"):
                raise srt.err(f"unsupported sort {srt.show()} for {sym!r} (only Real and Bool)")
            macros_src.append((sym, srt.text, args[3]))
            _collect_binders(args[3], binder_name, taken, reserved, all_names, check_sort)
            asserts.append(("define", sym, srt.text, args[3]))
        elif name == "assert":
            if len(args) != 1:
                raise cmd.err("assert takes one formula")
            _collect_binders(args[0], binder_name, taken, reserved, all_names, check_sort)
            asserts.append(("assert", args[0]))
        elif name in ("push", "pop", "reset", "check-sat-assuming", "declare-sort", "define-sort",
                      "declare-datatype", "declare-datatypes", "define-fun-rec"):
            raise head.err(f"the SMT-LIB command {name!r} is not supported")
        elif name in _SMT_IGNORED:
            if name == "set-info" and len(args) >= 2 and args[0].text == ":source":
                description = args[1].text.strip()
            continue
        else:
            raise head.err(f"unknown SMT-LIB command {name!r}")
    ring = PolyRing(all_names)
    qctx = ring.qctx
    env = {sym: ("term", fmpq_mpoly(ring.gen(ring_name[sym]), qctx)) for sym in consts}
    conv = _SmtConverter(ring, binder_name)
    parts = []
    for item in asserts:
        if item[0] == "define":
            _, sym, srt, body = item
            kind, value = conv.expr(body, env)
            want = "term" if srt == "Real" else "formula"
            if kind != want:
                raise body.err(f"the body of {sym!r} is not of sort {srt}")
            env = dict(env)
            env[sym] = (kind, value)
        else:
            parts.append(conv.formula(item[1], env))
    formula = conj(*parts)
    free = tuple(ring_name[s] for s in consts)
    return standard_problem(all_names, free, formula, description)


def _collect_binders(node, binder_name, taken, reserved, all_names, check_sort):
    """Give every variable bound by forall/exists a ring name (fresh when the symbol is already a
    constant or bound elsewhere), in document order."""
    if node.kind != "list" or not node.items:
        return
    head = node.items[0]
    if head.kind == "symbol" and head.text in ("forall", "exists") and len(node.items) == 3:
        binds = node.items[1]
        if binds.kind != "list" or not binds.items:
            raise binds.err(f"expected a list of sorted variables after {head.text}")
        for b in binds.items:
            if b.kind != "list" or len(b.items) != 2 or b.items[0].kind not in ("symbol", "quoted"):
                raise b.err(f"expected a sorted variable (x Real), found {b.show()}")
            check_sort(b.items[1], b.items[0].text)
            rn = _smt_name(b.items[0].text, taken, reserved)
            taken.add(rn)
            all_names.append(rn)
            binder_name[id(b)] = rn
    for c in node.items:
        _collect_binders(c, binder_name, taken, reserved, all_names, check_sort)


class _SmtConverter:
    def __init__(self, ring, binder_name):
        self.ring = ring
        self.qctx = ring.qctx
        self.binder_name = binder_name

    def formula(self, node, env):
        kind, value = self.expr(node, env)
        if kind != "formula":
            raise node.err(f"expected a formula (Bool), found the Real term {node.show()}")
        return value

    def term(self, node, env):
        kind, value = self.expr(node, env)
        if kind != "term":
            raise node.err(f"expected a Real term, found the formula {node.show()}")
        return value

    def atomic_cmp(self, a, b, rel):
        return atom(clear_denominators(a - b, self.ring.ctx), rel, ctx=self.ring.ctx)

    def expr(self, node, env):
        q = self.qctx
        if node.kind == "num":
            return "term", q.constant(integer_literal(node.text, node.err))
        if node.kind == "dec":
            ip, fp = node.text.split(".")
            return "term", q.constant(fmpq(integer_literal(ip + fp, node.err),
                                           10 ** len(fp)))
        if node.kind in ("hex", "bin"):
            if len(node.text) > MAX_DIGITS:
                raise node.err(f"numeral of {len(node.text)} digits exceeds the limit of "
                               f"{MAX_DIGITS} digits")
            return "term", q.constant(int(node.text[2:], 16 if node.kind == "hex" else 2))
        if node.kind in ("symbol", "quoted"):
            if node.text in env:
                return env[node.text]
            if node.kind == "symbol" and node.text in ("true", "false"):
                return "formula", TRUE if node.text == "true" else FALSE
            raise node.err(f"undeclared symbol {node.text!r}")
        if node.kind != "list":
            raise node.err(f"unexpected {node.show()}")
        if not node.items:
            raise node.err("empty application '()'")
        head = node.items[0]
        args = node.items[1:]
        if head.kind != "symbol":
            raise head.err(f"expected an operator, found {head.show()}")
        h = head.text
        if h in ("forall", "exists"):
            if len(args) != 2:
                raise node.err(f"{h} takes a variable list and a body")
            inner = dict(env)
            names = []
            for b in args[0].items:
                rn = self.binder_name[id(b)]
                inner[b.items[0].text] = ("term", fmpq_mpoly(self.ring.gen(rn), q))
                names.append(rn)
            body = self.formula(args[1], inner)
            return "formula", (exists(names, body) if h == "exists" else forall(names, body))
        if h == "let":
            if len(args) != 2 or args[0].kind != "list":
                raise node.err("let takes a binding list and a body")
            inner = dict(env)
            for b in args[0].items:
                if b.kind != "list" or len(b.items) != 2 or b.items[0].kind not in ("symbol",
                                                                                    "quoted"):
                    raise b.err(f"expected a binding (name term), found {b.show()}")
                inner[b.items[0].text] = self.expr(b.items[1], env)  # parallel let
            return self.expr(args[1], inner)
        if h == "!":
            if not args:
                raise node.err("'!' needs a term")
            return self.expr(args[0], env)
        if h == "ite":
            if len(args) != 3:
                raise node.err("ite takes three arguments")
            c = self.formula(args[0], env)
            k1, a = self.expr(args[1], env)
            k2, b = self.expr(args[2], env)
            if k1 != "formula" or k2 != "formula":
                raise node.err("ite on Real terms is not supported (only Boolean ite)")
            return "formula", disj(conj(c, a), conj(negate(c), b))
        if h in ("+", "-", "*"):
            if not args:
                raise node.err(f"{h!r} needs arguments")
            vals = [self.term(a, env) for a in args]
            if h == "-" and len(vals) == 1:
                return "term", -vals[0]
            acc = vals[0]
            for v in vals[1:]:
                if h == "*":
                    check_product(acc, v, node.err)
                acc = acc + v if h == "+" else (acc - v if h == "-" else acc * v)
            return "term", acc
        if h == "/":
            if len(args) < 2:
                raise node.err("'/' needs at least two arguments")
            acc = self.term(args[0], env)
            for a in args[1:]:
                d = self.term(a, env)
                if not d.is_constant():
                    raise a.err(f"division by the non-constant term {a.show()} is not polynomial "
                                "(only division by a non-zero constant)")
                c = d.leading_coefficient() if not d.is_zero() else fmpq(0)
                if c == 0:
                    raise a.err("division by zero")
                acc = acc * (1 / fmpq(c))
            return "term", acc
        if h in ("to_real",):
            if len(args) != 1:
                raise node.err("to_real takes one argument")
            return "term", self.term(args[0], env)
        if h in ("<", "<=", ">", ">="):
            if len(args) < 2:
                raise node.err(f"{h!r} needs at least two arguments")
            vals = [self.term(a, env) for a in args]
            return "formula", conj(*[self.atomic_cmp(vals[i], vals[i + 1], h)
                                     for i in range(len(vals) - 1)])
        if h == "=":
            if len(args) < 2:
                raise node.err("'=' needs at least two arguments")
            vals = [self.expr(a, env) for a in args]
            kinds = {k for k, _ in vals}
            if len(kinds) > 1:
                raise node.err("'=' compares a Real term with a formula")
            if kinds == {"term"}:
                return "formula", conj(*[self.atomic_cmp(vals[i][1], vals[i + 1][1], "=")
                                         for i in range(len(vals) - 1)])
            return "formula", conj(*[iff(vals[i][1], vals[i + 1][1])
                                     for i in range(len(vals) - 1)])
        if h == "distinct":
            if len(args) < 2:
                raise node.err("distinct needs at least two arguments")
            vals = [self.expr(a, env) for a in args]
            kinds = {k for k, _ in vals}
            if len(kinds) > 1:
                raise node.err("distinct mixes Real terms and formulas")
            out = []
            for i in range(len(vals)):
                for j in range(i + 1, len(vals)):
                    if kinds == {"term"}:
                        out.append(self.atomic_cmp(vals[i][1], vals[j][1], "/="))
                    else:
                        out.append(negate(iff(vals[i][1], vals[j][1])))
            return "formula", conj(*out)
        if h in ("and", "or"):
            fs = [self.formula(a, env) for a in args]
            return "formula", (conj(*fs) if h == "and" else disj(*fs))
        if h == "not":
            if len(args) != 1:
                raise node.err("not takes one argument")
            return "formula", negate(self.formula(args[0], env))
        if h == "=>":
            if len(args) < 2:
                raise node.err("'=>' needs at least two arguments")
            fs = [self.formula(a, env) for a in args]
            acc = fs[-1]
            for f in reversed(fs[:-1]):  # right associative
                acc = implies(f, acc)
            return "formula", acc
        if h == "xor":
            fs = [self.formula(a, env) for a in args]
            if len(fs) < 2:
                raise node.err("xor needs at least two arguments")
            acc = fs[0]
            for f in fs[1:]:
                acc = negate(iff(acc, f))
            return "formula", acc
        if h in env:
            raise head.err(f"{h!r} is a constant, not a function")
        raise head.err(f"unknown or unsupported operator {h!r}")


_SMT_SIMPLE = re.compile(r"[A-Za-z~!@$%^&*_\-+=<>.?/][A-Za-z0-9~!@$%^&*_\-+=<>.?/]*\Z")
_SMT_RESERVED = {"forall", "exists", "let", "par", "_", "!", "as", "match", "true", "false",
                 "BINARY", "DECIMAL", "HEXADECIMAL", "NUMERAL", "STRING", "and", "or", "not",
                 "ite", "distinct", "xor", "=>"}


def _smt_sym(name):
    if _SMT_SIMPLE.match(name) and name not in _SMT_RESERVED:
        return name
    return f"|{name}|"


def _smt_int(c):
    c = int(c)
    return str(c) if c >= 0 else f"(- {-c})"


def _smt_poly(p):
    names = p.context().names()
    terms = []
    for exps, c in p.terms():
        factors = []
        for i, e in enumerate(exps):
            factors.extend([_smt_sym(names[i])] * int(e))
        if not factors:
            terms.append(_smt_int(c))
            continue
        if c != 1:
            factors.insert(0, _smt_int(c))
        terms.append(factors[0] if len(factors) == 1 else "(* " + " ".join(factors) + ")")
    if not terms:
        return "0"
    return terms[0] if len(terms) == 1 else "(+ " + " ".join(terms) + ")"


def _smt_atom(f):
    p = _smt_poly(f.poly)
    if f.rel == "/=":
        return f"(distinct {p} 0)"
    return f"({f.rel} {p} 0)"


def _smt_quantifier(f):
    vs = " ".join(f"({_smt_sym(v)} Real)" for v in f.variables)
    return f"({_SMT_QUANTIFIER[f.letter]} ({vs}) {_smt_formula(f.body)})"


_SMT_QUANTIFIER = {"E": "exists", "A": "forall"}
# The SMT-LIB operator of each connective; the arguments follow in order.
_SMT_OPERATOR = {And: "and", Or: "or", Not: "not", Implies: "=>", Iff: "="}


def _smt_formula(f):
    op = _SMT_OPERATOR.get(type(f))
    if op is not None:
        return f"({op} " + " ".join(_smt_formula(c) for c in f.children()) + ")"
    if isinstance(f, Atom):
        return _smt_atom(f)
    if isinstance(f, Truth):
        return "true" if f.value else "false"
    if isinstance(f, Quantifier):
        return _smt_quantifier(f)
    raise InputError(f"not a formula: {f!r}")


def to_smtlib(problem: Problem) -> str:
    """An SMT-LIB2 script: the free variables as ``declare-const ... Real``, the formula as one
    ``assert``, then ``check-sat`` (logic ``QF_NRA`` or ``NRA``).  Parses back with
    :func:`parse_smtlib` to the same problem.  The description becomes ``(set-info :source
    |...|)`` (read back by :func:`parse_smtlib`); assumptions are written as a comment."""
    f = problem.formula
    logic = "QF_NRA" if is_quantifier_free(f) else "NRA"
    out = [f"(set-logic {logic})"]
    if problem.description:
        desc = problem.description.replace("|", "/").replace("\\", "/")
        out.append(f"(set-info :source |{desc}|)")
    for v in problem.free:
        out.append(f"(declare-const {_smt_sym(v)} Real)")
    if problem.assumptions != TRUE:
        out.append(f"; assume {_smt_formula(problem.assumptions)}")
    out.append(f"(assert {_smt_formula(f)})")
    out.append("(check-sat)")
    return "\n".join(out) + "\n"

