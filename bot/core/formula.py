"""A small, safe formula language for indicators ("chỉ số") defined in report templates.

A formula such as ``so_mui_3 / dan_so_muc_tieu * 100`` is read by a tokenizer and a
recursive-descent parser into a tree of a handful of node types; nothing is ever passed to
``eval`` or compiled, so a template document cannot run code. The language holds:

* numbers with a dot as the decimal point (``0.5``; a comma separates function arguments);
* names: the template's numeric field keys and its reference values (``references``);
* ``+ - * /``, unary minus and parentheses, with the usual precedence;
* three functions: ``min(a, b, …)``, ``max(a, b, …)`` and ``neu_thieu(a, b)`` ("if
  missing": ``a`` when it can be computed from the data, otherwise ``b``; so an optional
  field may count as zero with ``neu_thieu(so_mui_3, 0)``).

Why hand-written rather than Python's ``ast``: the positions in error messages must be those
of the admin's text, names must be checked against the template, and the grammar must stay
this small whatever Python's grows.

Evaluation is in ``Decimal`` (28 significant digits) and never raises: a result is either a
number or an explicit state — missing data ("thiếu số liệu", naming what is missing),
division by zero ("chia cho 0"), or a number out of range — so a leader never sees a made-up
figure. Limits (length, nesting) keep a hostile document from exhausting the stack.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Formula",
    "FormulaError",
    "Outcome",
    "OutcomeState",
    "parse_formula",
]

MAX_LENGTH = 500
MAX_DEPTH = 40
# Function name -> (fewest arguments, most arguments or None for any number).
FUNCTIONS: Mapping[str, tuple[int, int | None]] = {
    "min": (2, None),
    "max": (2, None),
    "neu_thieu": (2, 2),
}
# Results beyond this are shown as "out of range" rather than as a number nobody typed.
_LIMIT = Decimal("1e24")


class FormulaError(ValueError):
    """A formula that cannot be used: ``message`` is Vietnamese, ``position`` 1-based (the
    character where the problem starts), or 0 when it concerns the whole formula."""

    def __init__(self, message: str, position: int = 0, name: str | None = None) -> None:
        where = f" (ở ký tự thứ {position})" if position else ""
        super().__init__(f"{message}{where}")
        self.message = message
        self.position = position
        self.name = name  # the unknown name, for an unknown name


# -- tokens -------------------------------------------------------------------------------
class _Kind(enum.Enum):
    NUMBER = "number"
    NAME = "name"
    OP = "op"
    END = "end"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _Kind
    text: str
    pos: int  # 1-based


_THOUSANDS = re.compile(r"[1-9]\d{0,2}\.\d{3}")
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/(),]))")


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        m = _TOKEN.match(text, i)
        if m is None or m.end() == i:
            ch = text[i]
            hint = ""
            if ch == "%":
                hint = " (muốn ra tỷ lệ phần trăm, đồng chí nhân với 100)"
            elif ch in "×x÷:":
                hint = " (phép nhân viết *, phép chia viết /)"
            raise FormulaError(f"ký tự “{ch}” không dùng được trong công thức{hint}", i + 1)
        if m.group(1) is not None:
            tokens.append(_Token(_Kind.NUMBER, m.group(1), m.start(1) + 1))
        elif m.group(2) is not None:
            tokens.append(_Token(_Kind.NAME, m.group(2), m.start(2) + 1))
        else:
            tokens.append(_Token(_Kind.OP, m.group(3), m.start(3) + 1))
        i = m.end()
    tokens.append(_Token(_Kind.END, "", n + 1))
    return tokens


# -- tree ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Num:
    value: Decimal


@dataclass(frozen=True, slots=True)
class _Name:
    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class _Neg:
    operand: _Node


@dataclass(frozen=True, slots=True)
class _Bin:
    op: str
    left: _Node
    right: _Node


@dataclass(frozen=True, slots=True)
class _Call:
    fn: str
    args: tuple[_Node, ...]


_Node = _Num | _Name | _Neg | _Bin | _Call


class _Parser:
    """expr := term (("+" | "-") term)*; term := unary (("*" | "/") unary)*;
    unary := "-" unary | primary; primary := NUMBER | NAME | NAME "(" args ")" | "(" expr ")"."""

    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._i = 0
        self._depth = 0

    @property
    def _tok(self) -> _Token:
        return self._tokens[self._i]

    def _take(self) -> _Token:
        tok = self._tokens[self._i]
        self._i += 1
        return tok

    def _deeper(self, pos: int) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise FormulaError(f"công thức lồng quá {MAX_DEPTH} tầng", pos)

    def parse(self) -> _Node:
        if self._tok.kind is _Kind.END:
            raise FormulaError("công thức trống")
        node = self._expr()
        tok = self._tok
        if tok.kind is not _Kind.END:
            if tok.text == ")":
                raise FormulaError("thừa dấu đóng ngoặc “)”", tok.pos)
            if tok.text == ",":
                raise FormulaError(
                    "dấu phẩy chỉ dùng để ngăn các đối số của hàm; số thập phân viết bằng"
                    " dấu chấm (0.5)",
                    tok.pos,
                )
            raise FormulaError(f"thiếu phép tính trước “{tok.text}”", tok.pos)
        return node

    def _expr(self) -> _Node:
        node = self._term()
        while self._tok.kind is _Kind.OP and self._tok.text in "+-":
            op = self._take().text
            node = _Bin(op, node, self._term())
        return node

    def _term(self) -> _Node:
        node = self._unary()
        while self._tok.kind is _Kind.OP and self._tok.text in "*/":
            op = self._take().text
            node = _Bin(op, node, self._unary())
        return node

    def _unary(self) -> _Node:
        tok = self._tok
        if tok.kind is _Kind.OP and tok.text in "-+":
            self._take()
            self._deeper(tok.pos)
            operand = self._unary()
            self._depth -= 1
            return _Neg(operand) if tok.text == "-" else operand
        return self._primary()

    def _primary(self) -> _Node:
        tok = self._take()
        if tok.kind is _Kind.NUMBER:
            if _THOUSANDS.fullmatch(tok.text):
                # "1.000" is a thousand to a Vietnamese reader but 1 here: refuse, not guess.
                raise FormulaError(
                    f"số “{tok.text}” dễ nhầm: trong công thức dấu chấm là dấu thập phân;"
                    f" số nghìn viết liền ({tok.text.replace('.', '')}), số thập phân bỏ"
                    " số 0 thừa ở cuối",
                    tok.pos,
                )
            return _Num(Decimal(tok.text))
        if tok.kind is _Kind.NAME:
            if self._tok.kind is _Kind.OP and self._tok.text == "(":
                return self._call(tok)
            return _Name(tok.text, tok.pos)
        if tok.kind is _Kind.OP and tok.text == "(":
            self._deeper(tok.pos)
            node = self._expr()
            self._depth -= 1
            close = self._take()
            if close.text != ")":
                raise FormulaError("thiếu dấu đóng ngoặc “)”", close.pos)
            return node
        if tok.kind is _Kind.END:
            raise FormulaError(
                "công thức kết thúc giữa chừng, còn thiếu một số hoặc một tên", tok.pos
            )
        raise FormulaError(f"không mong đợi “{tok.text}” ở đây", tok.pos)

    def _call(self, name: _Token) -> _Node:
        fn = name.text
        if fn not in FUNCTIONS:
            known = ", ".join(FUNCTIONS)
            raise FormulaError(f"không có hàm “{fn}” (các hàm dùng được: {known})", name.pos)
        self._take()  # "("
        self._deeper(name.pos)
        args = [self._expr()]
        while self._tok.text == "," and self._tok.kind is _Kind.OP:
            self._take()
            args.append(self._expr())
        close = self._take()
        if close.text != ")":
            raise FormulaError(f"thiếu dấu đóng ngoặc “)” của hàm {fn}", close.pos)
        self._depth -= 1
        fewest, most = FUNCTIONS[fn]
        if len(args) < fewest or (most is not None and len(args) > most):
            need = f"đúng {fewest}" if most == fewest else f"ít nhất {fewest}"
            raise FormulaError(f"hàm {fn} cần {need} đối số, đang có {len(args)}", name.pos)
        return _Call(fn, tuple(args))


# -- evaluation ---------------------------------------------------------------------------
class OutcomeState(enum.StrEnum):
    OK = "ok"
    MISSING = "missing"  # an input has no value for this unit and period
    DIV_ZERO = "div_zero"
    OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True, slots=True)
class Outcome:
    """A formula's result: a number (``state`` OK) or why there is none. ``missing`` names
    the inputs that had no value, in the order the formula reads them."""

    state: OutcomeState
    value: Decimal | None = None
    missing: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.state is OutcomeState.OK

    @classmethod
    def of(cls, value: Decimal) -> Outcome:
        return cls(OutcomeState.OK, value)


_DIV_ZERO = Outcome(OutcomeState.DIV_ZERO)
_OUT_OF_RANGE = Outcome(OutcomeState.OUT_OF_RANGE)


def _bounded(value: Decimal) -> Outcome:
    if not value.is_finite() or abs(value) > _LIMIT:
        return _OUT_OF_RANGE
    return Outcome.of(value)


@dataclass(frozen=True, slots=True)
class Formula:
    """A parsed formula: its text, the names it reads (in order of first use) and its tree."""

    text: str
    names: tuple[str, ...]
    _tree: _Node

    def evaluate(self, values: Mapping[str, Decimal | int | None]) -> Outcome:
        """The formula over ``values`` (a name absent or None is missing data). Never
        raises for any inputs: every failure is an ``Outcome`` state."""
        try:
            with localcontext() as ctx:
                ctx.prec = 28
                ctx.traps[InvalidOperation] = True
                ctx.traps[DivisionByZero] = True
                ctx.traps[Overflow] = True
                return self._eval(self._tree, values)
        except (Overflow, InvalidOperation):
            return _OUT_OF_RANGE

    def _eval(self, node: _Node, values: Mapping[str, Decimal | int | None]) -> Outcome:
        if isinstance(node, _Num):
            return Outcome.of(node.value)
        if isinstance(node, _Name):
            raw = values.get(node.name)
            if raw is None or isinstance(raw, bool):
                return Outcome(OutcomeState.MISSING, missing=(node.name,))
            value = Decimal(raw)
            return _bounded(value) if value.is_finite() else _OUT_OF_RANGE
        if isinstance(node, _Neg):
            inner = self._eval(node.operand, values)
            return Outcome.of(-inner.value) if inner.value is not None else inner
        if isinstance(node, _Bin):
            left = self._eval(node.left, values)
            right = self._eval(node.right, values)
            if left.value is None or right.value is None:
                return _worst(left, right)
            a, b = left.value, right.value
            if node.op == "+":
                return _bounded(a + b)
            if node.op == "-":
                return _bounded(a - b)
            if node.op == "*":
                return _bounded(a * b)
            if b == 0:
                return _DIV_ZERO
            return _bounded(a / b)
        # A function call.
        args = [self._eval(a, values) for a in node.args]
        if node.fn == "neu_thieu":
            return args[1] if args[0].state is OutcomeState.MISSING else args[0]
        if any(a.value is None for a in args):
            return _worst(*args)
        nums = [a.value for a in args if a.value is not None]
        return Outcome.of(min(nums) if node.fn == "min" else max(nums))


def _worst(*outcomes: Outcome) -> Outcome:
    """Of several failed inputs: missing data first (it names what to collect), with every
    missing name; else the first other failure."""
    missing: list[str] = []
    for o in outcomes:
        for name in o.missing:
            if name not in missing:
                missing.append(name)
    if missing:
        return Outcome(OutcomeState.MISSING, missing=tuple(missing))
    return next(o for o in outcomes if o.value is None)


def _names(node: _Node, out: list[tuple[str, int]]) -> None:
    if isinstance(node, _Name):
        out.append((node.name, node.pos))
    elif isinstance(node, _Neg):
        _names(node.operand, out)
    elif isinstance(node, _Bin):
        _names(node.left, out)
        _names(node.right, out)
    elif isinstance(node, _Call):
        for a in node.args:
            _names(a, out)


def parse_formula(text: str, known: Collection[str] | None = None) -> Formula:
    """Parse ``text``; with ``known``, every name must be one of them. Raises
    ``FormulaError`` naming the problem and its position in Vietnamese."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"công thức dài quá {MAX_LENGTH} ký tự")
    tree = _Parser(_tokenize(text)).parse()
    used: list[tuple[str, int]] = []
    _names(tree, used)
    if known is not None:
        for name, pos in used:
            if name not in known:
                raise FormulaError(
                    f"chưa có trường số hoặc số liệu tham chiếu tên “{name}”", pos, name
                )
    ordered: list[str] = []
    for name, _ in used:
        if name not in ordered:
            ordered.append(name)
    return Formula(text, tuple(ordered), tree)
