"""A syntax check for go-bexpr filter expressions (resolver subset ``Filter``).

Consul compiles the filter with ``bexpr.CreateEvaluator`` (``ServiceResolverConfigEntry.Validate``).
This is a simpler recogniser of the go-bexpr grammar (hashicorp/go-bexpr ``grammar.peg``):

    expr   := and ("or" and)*
    and    := unary ("and" unary)*
    unary  := "not" unary | "(" expr ")" | match
    match  := selector ("==" | "!=") value
            | selector "is" ["not"] "empty"
            | value ["not"] "in" selector
            | selector ["not"] ("contains" | "matches") value

Selectors are dotted identifiers (``Service.Meta.version``, ``Node.Meta["x"]``); values are
quoted strings, numbers, booleans or bare words. It checks syntax only (not that selectors
exist), so it is simpler than Consul, and says so in its messages.
"""
import re

_TOKEN = re.compile(r'\s*(?:(?P<op>==|!=|\(|\))|(?P<str>"(?:[^"\\]|\\.)*"|`[^`]*`)'
                    r'|(?P<word>[A-Za-z0-9_\-.:/\[\]"]+))')
KEYWORDS = {"and", "or", "not", "in", "contains", "matches", "is", "empty"}
_SELECTOR = re.compile(r'^[A-Za-z_][A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]+|\["[^"]*"\])*$')


class FilterSyntaxError(ValueError):
    pass


def _tokens(text):
    pos, out = 0, []
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FilterSyntaxError("unexpected character at offset %d" % pos)
        out.append(m.group("op") or m.group("str") or m.group("word"))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens):
        self.toks, self.i = tokens, 0

    def peek(self, k=0):
        return self.toks[self.i + k] if self.i + k < len(self.toks) else None

    def take(self, *want):
        tok = self.peek()
        if tok is None or (want and tok not in want):
            raise FilterSyntaxError("expected %s, found %s" % ("/".join(want) or "a term", tok or "end of input"))
        self.i += 1
        return tok

    def expr(self):
        self.conj()
        while self.peek() == "or":
            self.take("or")
            self.conj()

    def conj(self):
        self.unary()
        while self.peek() == "and":
            self.take("and")
            self.unary()

    def unary(self):
        if self.peek() == "not":
            self.take("not")
            return self.unary()
        if self.peek() == "(":
            self.take("(")
            self.expr()
            self.take(")")
            return None
        return self.match()

    def value(self):
        tok = self.take()
        if tok in KEYWORDS or tok in ("(", ")", "==", "!="):
            raise FilterSyntaxError("expected a value, found %s" % tok)

    def selector(self):
        tok = self.take()
        if tok in KEYWORDS or not _SELECTOR.match(tok):
            raise FilterSyntaxError("expected a selector, found %s" % tok)

    def match(self):
        nxt = self.peek(1)
        if nxt in ("in",) or (nxt == "not" and self.peek(2) == "in"):
            self.value()
            if self.peek() == "not":
                self.take("not")
            self.take("in")
            return self.selector()
        self.selector()
        op = self.take("==", "!=", "is", "not", "contains", "matches")
        if op in ("==", "!="):
            return self.value()
        if op == "is":
            if self.peek() == "not":
                self.take("not")
            self.take("empty")
            return None
        if op == "not":
            self.take("contains", "matches")
        return self.value()


def check(text):
    """Raise FilterSyntaxError when ``text`` is not a filter expression."""
    parser = _Parser(_tokens(text))
    parser.expr()
    if parser.peek() is not None:
        raise FilterSyntaxError("unexpected %s after the expression" % parser.peek())
