"""A small HCL2 reader: the documented subset the contract server needs.

Supported: attributes (``name = expr``), blocks with string/identifier labels,
strings with escapes and ``${var.x}`` interpolation, heredocs (``<<EOF`` and
``<<-EOF``), numbers, booleans, null, lists, objects (``=`` or ``:``), bare
``var.x`` references, and ``#``, ``//`` and ``/* */`` comments. Not supported
(raises HCLError): functions, arithmetic, conditionals, for-expressions,
dynamic blocks, locals and other references than ``var.*``.
"""
import json
import re


class HCLError(ValueError):
    """Input outside the supported subset, or malformed."""


class Body:
    """Attributes and blocks of one HCL body, in source order."""

    def __init__(self):
        self.attrs = {}
        self.blocks = []  # (type, [labels], Body)

    def blocks_of(self, kind):
        return [(labels, body) for typ, labels, body in self.blocks if typ == kind]


class _Template:
    """A string with ``${var.x}`` parts."""

    def __init__(self, parts):
        self.parts = parts


class TypeExpr:
    """A type constraint of a ``variable`` block (string, list(string), ...)."""

    def __init__(self, text):
        self.text = text


class _Ref:
    """An unresolved ``var.NAME`` reference."""

    def __init__(self, name):
        self.name = name


_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+|\\\n)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<nl>\n)
  | (?P<heredoc><<-?[A-Za-z_][A-Za-z0-9_]*\n)
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)*)
  | (?P<string>")
  | (?P<punct>[{}\[\]=,:()])
""", re.S | re.X)


def _read_string(text, pos):
    """Read a quoted string starting after the opening quote."""
    parts, buf, i = [], [], pos
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    while i < len(text):
        ch = text[i]
        if ch == '"':
            parts.append("".join(buf))
            return parts, i + 1
        if ch == "\n":
            break
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "u":
                buf.append(chr(int(text[i + 2:i + 6], 16)))
                i += 6
                continue
            if nxt not in escapes:
                raise HCLError(f"invalid escape \\{nxt}")
            buf.append(escapes[nxt])
            i += 2
            continue
        if text.startswith("$${", i):
            buf.append("${")
            i += 3
            continue
        if text.startswith("${", i):
            end = text.find("}", i)
            if end < 0:
                raise HCLError("unterminated interpolation")
            parts.append("".join(buf))
            buf = []
            parts.append(_Ref(_interp_ref(text[i + 2:end].strip())))
            i = end + 1
            continue
        buf.append(ch)
        i += 1
    raise HCLError("unterminated string")


def _interp_ref(expr):
    if not re.fullmatch(r"var\.[A-Za-z_][A-Za-z0-9_\-]*", expr):
        raise HCLError(f"unsupported interpolation ${{{expr}}} (only var.NAME)")
    return expr[4:]


def _tokenize(text):
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise HCLError(f"unexpected character {text[pos]!r} at offset {pos}")
        kind = m.lastgroup
        if kind == "string":
            parts, pos = _read_string(text, m.end())
            tokens.append(("string", parts))
            continue
        if kind == "heredoc":
            marker = m.group()[2:-1]
            indent = marker.startswith("-")
            marker = marker.lstrip("-")
            end = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*$", re.M)
            found = end.search(text, m.end())
            if not found:
                raise HCLError(f"unterminated heredoc {marker}")
            body = text[m.end():found.start()]
            if indent:
                lines = body.split("\n")
                width = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
                body = "\n".join(l[width:] for l in lines)
            tokens.append(("string", [body]))
            pos = found.end()
            continue
        if kind not in ("ws", "comment"):
            tokens.append((kind, m.group()))
        pos = m.end()
    tokens.append(("eof", None))
    return tokens


class _Parser:
    def __init__(self, text):
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self, skip_nl=True):
        while skip_nl and self.tokens[self.i][0] == "nl":
            self.i += 1
        return self.tokens[self.i]

    def take(self, skip_nl=True):
        tok = self.peek(skip_nl)
        self.i += 1
        return tok

    def expect(self, value):
        tok = self.take()
        if tok[1] != value:
            raise HCLError(f"expected {value!r}, got {tok[1]!r}")

    def body(self, until):
        body = Body()
        while True:
            kind, value = self.peek()
            if (until is None and kind == "eof") or (until and value == until):
                self.take()
                return body
            if kind != "ident":
                raise HCLError(f"expected attribute or block name, got {value!r}")
            self.take()
            nxt = self.peek(skip_nl=False)
            if nxt[1] == "=":
                self.take()
                if value in body.attrs:
                    raise HCLError(f"attribute {value!r} defined twice")
                body.attrs[value] = self.expr()
                continue
            labels = []
            while self.peek(skip_nl=False)[0] in ("string", "ident"):
                tok = self.take(skip_nl=False)
                labels.append(_plain(tok[1]) if tok[0] == "string" else tok[1])
            self.expect("{")
            body.blocks.append((value, labels, self.body("}")))

    def expr(self):
        kind, value = self.take()
        if kind == "string":
            if len(value) == 1 and isinstance(value[0], str):
                return value[0]
            return _Template(value)
        if kind == "number":
            return float(value) if re.search(r"[.eE]", value) else int(value)
        if kind == "ident":
            if value in ("true", "false"):
                return value == "true"
            if value == "null":
                return None
            if value.startswith("var.") and value.count(".") == 1:
                return _Ref(value[4:])
            if value in ("string", "number", "bool", "any"):
                return TypeExpr(value)
            if value in ("list", "map", "set") and self.peek(skip_nl=False)[1] == "(":
                self.take()
                inner = self.expr()
                self.expect(")")
                return TypeExpr(f"{value}({getattr(inner, 'text', '?')})")
            if self.peek(skip_nl=False)[1] == "(":
                raise HCLError(f"function calls are not supported ({value}(...))")
            raise HCLError(f"unsupported reference {value!r} (only var.NAME)")
        if value == "[":
            items = []
            while self.peek()[1] != "]":
                items.append(self.expr())
                if self.peek()[1] == ",":
                    self.take()
            self.take()
            return items
        if value == "{":
            obj = {}
            while self.peek()[1] != "}":
                key_kind, key = self.take()
                if key_kind == "string":
                    key = _plain(key)
                elif key_kind != "ident":
                    raise HCLError(f"bad object key {key!r}")
                if self.take()[1] not in ("=", ":"):
                    raise HCLError("expected '=' or ':' in object")
                obj[key] = self.expr()
                if self.peek()[1] == ",":
                    self.take()
            self.take()
            return obj
        raise HCLError(f"unexpected {value!r}")


def _plain(parts):
    if len(parts) != 1 or not isinstance(parts[0], str):
        raise HCLError("interpolation is not allowed here")
    return parts[0]


def parse(text):
    """Parse HCL text into a Body (values may hold unresolved var references)."""
    return _Parser(text).body(None)


def resolve(value, variables):
    """Replace var references in ``value`` with values from ``variables``."""
    if isinstance(value, _Ref):
        if value.name not in variables:
            raise HCLError(f"undefined variable var.{value.name}")
        return variables[value.name]
    if isinstance(value, TypeExpr):
        raise HCLError(f"a type ({value.text}) is only allowed in a variable block")
    if isinstance(value, _Template):
        return "".join(v if isinstance(v, str) else _to_str(resolve(v, variables))
                       for v in value.parts)
    if isinstance(value, list):
        return [resolve(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, variables) for k, v in value.items()}
    return value


def _to_str(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        raise HCLError("cannot interpolate a collection into a string")
    return str(value)


def parse_rules(text):
    """Parse ACL policy rules, given as HCL or as JSON (Nomad accepts both)."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            return _json_to_body(json.loads(text))
        except json.JSONDecodeError:
            pass
    return parse(text)


def _json_to_body(obj):
    """JSON policy form: {"namespace": {"default": {"policy": "read"}}, ...}."""
    body = Body()
    for key, value in obj.items():
        if isinstance(value, dict) and key in ("namespace", "host_volume", "path",
                                               "node_pool"):
            for label, inner in value.items():
                body.blocks.append((key, [label], _json_to_body(inner)))
        elif isinstance(value, dict):
            body.blocks.append((key, [], _json_to_body(value)))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                body.blocks.append((key, [], _json_to_body(item)))
        else:
            body.attrs[key] = value
    return body
