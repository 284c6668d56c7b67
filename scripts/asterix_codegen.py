#!/usr/bin/env python3
"""Generates Picket's typed ASTERIX record structs and codecs from the machine-readable
category specifications of zoranbosnjak/asterix-specs (BSD-3-Clause; the .ast files under
specs/catNNN/).

    scripts/asterix_codegen.py [--specs DIR] [--out REPO_ROOT] [--check]

For each supported category (010 021 034 048 062) and every edition the specs hold, it writes
  src/protocols/include/picket/protocols/asterix/gen/catNNN.h   record and item structs
  src/protocols/asterix/gen/catNNN.cpp                         decode, encode, JSON, random
  src/protocols/include/picket/protocols/asterix/gen/registry.h  the edition table
An item whose structure is identical in several editions is one C++ type shared by them.
Every leaf keeps its raw bits (so decode(encode(x)) == x exactly); quantities get accessors in
physical units (`rho_nm()`, `set_rho_nm(v)`). --check regenerates in memory and fails if the
committed files differ (used by a test).

This reads only the specifications (paraphrased facts of the EUROCONTROL documents); it does
not use any other decoder's code.
"""
import argparse
import fractions
import os
import re
import shutil
import subprocess
import sys

CATEGORIES = ["010", "021", "034", "048", "062"]

KEYWORDS = {
    "and", "or", "not", "xor", "int", "char", "case", "default", "new", "delete", "register",
    "union", "struct", "class", "public", "private", "long", "short", "double", "float", "auto",
    "const", "do", "if", "else", "for", "while", "switch", "return", "this", "true", "false",
    "typedef", "using", "namespace", "template", "signed", "unsigned", "void", "static", "goto",
    "break", "continue", "bool", "enum", "extern", "inline", "mutable", "operator", "sizeof",
    "virtual", "volatile", "asm", "try", "catch", "throw", "friend", "export", "concept",
    "requires", "module", "import", "bitand", "bitor", "compl", "not_eq", "or_eq", "and_eq",
    "xor_eq", "explicit", "value", "extents", "items",
}

# Corrections of the machine-readable specifications, each with its reason. They replace the
# content (signedness, LSB) of one element in every edition of a category.
ERRATA = [
    ("048", "090", ["FL"], ("sq", fractions.Fraction(1, 4), "FL"),
     "editions 1.27-1.31 of the spec files say unsigned; the EUROCONTROL document codes flight "
     "levels down to -12 FL in two's complement, and edition 1.32 of the files says signed"),
    ("010", "202", ["VX"], ("sq", fractions.Fraction(1, 4), "m/s"),
     "the spec file says LSB 1/16 m/s but a range of +-8192 m/s, which 16 bits reach only at "
     "0.25 m/s; CAT010 1.1 and the CroatiaControl definitions say 0.25 m/s"),
    ("010", "202", ["VY"], ("sq", fractions.Fraction(1, 4), "m/s"), "as VX"),
    ("010", "210", ["AX"], ("sq", fractions.Fraction(1, 4), "m/s²"),
     "the spec file says LSB 1/16 m/s2 but a range of +-31 m/s2, which 8 bits reach only at "
     "0.25 m/s2; CroatiaControl's definition says 0.25"),
    ("010", "210", ["AY"], ("sq", fractions.Fraction(1, 4), "m/s²"), "as AX"),
    ("021", "090", ["PA"], ("uint",),
     "editions 0.23-0.26 of the spec files say signed; PA is a navigation uncertainty category "
     "(NUCp, 0..9 in the ADS-B MASPS), never negative"),
]


def apply_errata(spec, cat):
    applied = []
    for ecat, item, path, content, why in ERRATA:
        if ecat != cat or item not in spec.items:
            continue
        var = spec.items[item][1]
        for name in path:
            fields = var.fields if isinstance(var, Group) else (
                [f for p in var.parts for f in p] if isinstance(var, Extended) else
                [s for s in var.slots if s] if isinstance(var, Compound) else [])
            match = [f for f in fields if not isinstance(f, Spare) and f[0] == name]
            if not match:
                var = None  # this edition's item has no such field: the erratum does not apply
                break
            var = match[0][2]
        if var is None:
            continue
        if not isinstance(var, Element):
            raise SpecError(f"erratum for I{cat}/{item} {'/'.join(path)}: not an element")
        var.content = content
        applied.append((item, path, why))
    return applied


# --- Parsing the .ast format (an indentation-structured text) ------------------------------


class Node:
    def __init__(self, text, line):
        self.text = text
        self.line = line
        self.children = []

    def __repr__(self):
        return f"Node({self.text!r}, {len(self.children)})"


def build_tree(path):
    root = Node("", 0)
    stack = [(-1, root)]
    with open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            line = raw.rstrip("\n").rstrip()
            if not line.strip():
                continue
            indent = len(line) - len(line.lstrip(" "))
            node = Node(line.strip(), no)
            while stack[-1][0] >= indent:
                stack.pop()
            stack[-1][1].children.append(node)
            stack.append((indent, node))
    return root


class SpecError(Exception):
    pass


# Variation classes
class Element:
    def __init__(self, bits, content):
        self.bits = bits
        self.content = content  # tuple: (kind, ...)


class Spare:
    def __init__(self, bits):
        self.bits = bits


class Group:
    def __init__(self, fields):
        self.fields = fields  # list of (name, title, var) or Spare


class Extended:
    def __init__(self, parts, last_fx):
        self.parts = parts  # list of lists of (name, title, var) or Spare
        self.last_fx = last_fx


class Repetitive:
    def __init__(self, rep, var):
        self.rep = rep  # int octets, or "fx"
        self.var = var


class Explicit:
    def __init__(self, kind):
        self.kind = kind


class Compound:
    def __init__(self, slots, fixed_octets=None):
        self.slots = slots  # list of (name, title, var) or None
        self.fixed_octets = fixed_octets


VARIATION_WORDS = ("element", "group", "extended", "repetitive", "explicit", "compound")
TEXT_WORDS = ("definition", "description", "remark")

ITEM_RE = re.compile(r'^([A-Za-z0-9_]+) "(.*)"$')


def eval_lsb(expr):
    # "360/2^16", "1/10^6", "25/2^2", "0.25", "3/20", "1"
    expr = expr.strip()
    total = None
    if "/" in expr:
        num, den = expr.split("/", 1)
    else:
        num, den = expr, "1"

    def term(t):
        if "^" in t:
            b, e = t.split("^")
            return fractions.Fraction(int(b)) ** int(e)
        return fractions.Fraction(t)

    total = term(num) / term(den)
    return total


def parse_content(node, where):
    t = node.text
    words = t.split()
    if t == "raw":
        return ("raw",)
    if t == "table":
        entries = {}
        for c in node.children:
            m = re.match(r"^(\d+):\s*(.*)$", c.text)
            if m:
                entries[int(m.group(1))] = m.group(2)
        return ("table", entries)
    m = re.match(r'^(unsigned|signed) quantity (\S+) "([^"]*)"(.*)$', t)
    if m:
        return ("sq" if m.group(1) == "signed" else "uq", eval_lsb(m.group(2)), m.group(3))
    m = re.match(r"^(unsigned|signed) integer", t)
    if m:
        return ("sint" if m.group(1) == "signed" else "uint",)
    if words[0] == "string":
        return (words[1],)  # ascii, icao, octal
    if words[0] == "bds":
        return ("bds",)
    if words[0] == "case":
        path = words[1]
        cases = {}
        default = None
        for c in node.children:
            m = re.match(r"^(\d+):$", c.text)
            if m:
                cases[int(m.group(1))] = parse_content(c.children[0], where)
            elif c.text == "default:":
                default = parse_content(c.children[0], where)
        return ("case", path, cases, default)
    raise SpecError(f"{where}: line {node.line}: unknown content {t!r}")


def find_variation(node, where):
    for c in node.children:
        w = c.text.split()[0]
        if w in VARIATION_WORDS:
            return c
    raise SpecError(f"{where}: line {node.line}: no variation under {node.text!r}")


def parse_named(node, where):
    m = ITEM_RE.match(node.text)
    if not m:
        raise SpecError(f"{where}: line {node.line}: expected NAME \"title\", got {node.text!r}")
    name, title = m.group(1), m.group(2)
    return (name, title, parse_variation(find_variation(node, f"{where}/{name}"), f"{where}/{name}"))


def parse_fields(children, where, allow_fx=False):
    out = []
    for c in children:
        if c.text.split()[0] in TEXT_WORDS:
            continue
        if c.text.startswith("spare "):
            out.append(Spare(int(c.text.split()[1])))
        elif c.text == "-":
            if not allow_fx:
                raise SpecError(f"{where}: line {c.line}: unexpected '-'")
            out.append("-")
        else:
            out.append(parse_named(c, where))
    return out


def parse_variation(node, where):
    words = node.text.split()
    kw = words[0]
    if kw == "element":
        bits = int(words[1])
        if not node.children:
            raise SpecError(f"{where}: element without content")
        return Element(bits, parse_content(node.children[0], where))
    if kw == "group":
        return Group(parse_fields(node.children, where))
    if kw == "extended":
        fields = parse_fields(node.children, where, allow_fx=True)
        parts, cur = [], []
        for f in fields:
            if f == "-":
                parts.append(cur)
                cur = []
            else:
                cur.append(f)
        last_fx = True
        if cur:
            parts.append(cur)
            last_fx = False
        return Extended(parts, last_fx)
    if kw == "repetitive":
        rep = "fx" if words[1] == "fx" else int(words[1])
        return Repetitive(rep, parse_variation(node.children[0], where))
    if kw == "explicit":
        return Explicit(words[1] if len(words) > 1 else None)
    if kw == "compound":
        fixed = int(words[1]) if len(words) > 1 else None
        slots = []
        for c in node.children:
            if c.text.split()[0] in TEXT_WORDS:
                continue
            if c.text == "-":
                slots.append(None)
            else:
                slots.append(parse_named(c, where))
        return Compound(slots, fixed)
    raise SpecError(f"{where}: line {node.line}: unknown variation {node.text!r}")


class Spec:
    def __init__(self, path):
        self.path = path
        root = build_tree(path)
        top = {c.text.split()[0]: c for c in root.children}
        head = root.children[0].text.split()
        self.kind = head[0]  # asterix | ref
        self.cat = head[1]
        self.edition = top["edition"].text.split()[1]
        self.items = {}
        self.order = []
        self.uap = []
        where = f"{os.path.basename(os.path.dirname(path))}/{os.path.basename(path)}"
        if self.kind == "asterix":
            for c in top["items"].children:
                name, title, var = parse_named(c, where)
                self.items[name] = (title, var)
                self.order.append(name)
            for c in top["uap"].children:
                self.uap.append(None if c.text == "-" else c.text)
        else:
            comp = parse_variation(top["compound"], where)
            self.compound = comp


def bit_size(var):
    """Bits of a fixed-size variation, or None when variable."""
    if isinstance(var, Element):
        return var.bits
    if isinstance(var, Spare):
        return var.bits
    if isinstance(var, Group):
        total = 0
        for f in var.fields:
            b = bit_size(f if isinstance(f, Spare) else f[2])
            if b is None:
                return None
            total += b
        return total
    return None


# --- Structural signature (for sharing types across editions) ------------------------------


def signature(var):
    if isinstance(var, Element):
        c = var.content
        if c[0] == "table":
            c = ("table",)
        elif c[0] in ("uq", "sq"):
            c = (c[0], str(c[1]), c[2])
        elif c[0] == "case":
            c = ("case", c[1], tuple((k, signature(Element(0, v))) for k, v in sorted(c[2].items())),
                 signature(Element(0, c[3])) if c[3] else None)
        return ("E", var.bits, c)
    if isinstance(var, Spare):
        return ("S", var.bits)
    if isinstance(var, Group):
        return ("G", tuple(signature(f) if isinstance(f, Spare) else (f[0], signature(f[2]))
                           for f in var.fields))
    if isinstance(var, Extended):
        return ("X", var.last_fx, tuple(tuple(signature(f) if isinstance(f, Spare)
                                              else (f[0], signature(f[2])) for f in p)
                                        for p in var.parts))
    if isinstance(var, Repetitive):
        return ("R", var.rep, signature(var.var))
    if isinstance(var, Explicit):
        return ("P", var.kind)
    if isinstance(var, Compound):
        return ("C", var.fixed_octets, tuple(None if s is None else (s[0], signature(s[2]))
                                             for s in var.slots))
    raise TypeError(var)


# --- C++ emission --------------------------------------------------------------------------

UNIT_SUFFIX = {
    "NM": "nm", "°": "deg", "deg": "deg", "FL": "fl", "ft": "ft", "m": "m", "m/s": "mps",
    "m/s2": "mps2", "m/s²": "mps2", "s": "s", "kt": "kt", "ft/min": "ftpm", "dBm": "dbm",
    "NM/s": "nmps", "Mach": "mach", "°/s": "degps", "hPa": "hpa", "mb": "mb", "%": "pct",
    "dB": "db", "": "value", "ms": "ms", "µs": "us", "km": "km", "NM/s2": "nmps2",
}


def unit_suffix(unit):
    if unit in UNIT_SUFFIX:
        return UNIT_SUFFIX[unit]
    s = re.sub(r"[^A-Za-z0-9]+", "_", unit).strip("_").lower()
    return s or "value"


def member(name):
    n = name.lower()
    if n[0].isdigit():
        n = "f" + n
    if n in KEYWORDS:
        n += "_"
    return n


def type_name(name):
    n = name.capitalize() if not name[0].isdigit() else "F" + name
    n = re.sub(r"[^A-Za-z0-9]", "_", n)
    return n


def int_type(bits, signed):
    for w in (8, 16, 32, 64):
        if bits <= w:
            return f"std::{'int' if signed else 'uint'}{w}_t"
    raise SpecError(f"element of {bits} bits")


def leaf_type(el):
    k = el.content[0]
    if k == "icao":
        return f"IcaoString<{el.bits // 6}>"
    if k == "ascii":
        return f"AsciiString<{el.bits // 8}>"
    return int_type(el.bits, k in ("sq", "sint"))


def cpp_double(fr):
    v = float(fr)
    r = repr(v)
    if "e" not in r and "." not in r:
        r += ".0"
    return r


class Emitter:
    """Emits one category: item types shared across editions, records per edition."""

    def __init__(self, cat, specs, ref):
        self.cat = cat
        self.specs = specs  # list of Spec, oldest first
        self.ref = ref
        self.h = []  # header lines
        self.c = []  # source lines
        self.fn_decls = []

    # Struct emission ------------------------------------------------------------------
    # A "struct var" is Group, Extended, Compound, or a wrapper around anything else.

    def struct_def(self, tname, var, label, indent, wrapper=False):
        """Returns lines of a struct definition named tname for var. Structs of its fields are
        defined before it at namespace scope (in self.pre, named Parent_Field) and aliased
        inside it: a class nested in another with default member initializers is not default
        constructible for std::optional until the outer class is complete (clang)."""
        ind = "  " * indent
        L = [f"{ind}struct {tname} {{"]
        inner = "  " * (indent + 1)
        nested = []
        members = []
        accessors = []
        if wrapper:
            ctype = self.member_type(var, "Value", label, indent + 1, nested)
            members.append(f"{inner}{ctype} value{{}};")
            if isinstance(var, Element):
                accessors += self.leaf_accessors("value", var, False, inner)
        elif isinstance(var, (Group, Extended)):
            fields = var.fields if isinstance(var, Group) else [f for p in var.parts for f in p]
            self.group_members(fields, label, indent + 1, nested, members, accessors)
            if isinstance(var, Extended):
                members.append(f"{inner}std::uint8_t extents = 1;  // octet parts present "
                               f"(1..{len(var.parts)})")
        elif isinstance(var, Compound):
            for s in var.slots:
                if s is None:
                    continue
                name, title, sv = s
                ctype = self.member_type(sv, type_name(name), f"{label} {name}", indent + 1,
                                         nested)
                members.append(f"{inner}std::optional<{ctype}> {member(name)};  // {title}")
                if isinstance(sv, Element):
                    accessors += self.leaf_accessors(member(name), sv, True, inner)
        else:
            raise TypeError(var)
        L += nested
        L += members
        L += accessors
        L.append(f"{inner}bool operator==(const {tname}&) const = default;")
        L.append(f"{ind}}};")
        return L

    def group_members(self, fields, label, indent, nested, members, accessors):
        inner = "  " * indent
        for f in fields:
            if isinstance(f, Spare):
                continue
            name, title, fv = f
            ctype = self.member_type(fv, type_name(name), f"{label} {name}", indent, nested)
            comment = f"  // {title}" if title else ""
            if isinstance(fv, Element):
                comment = "  // " + self.leaf_comment(fv, title)
            members.append(f"{inner}{ctype} {member(name)}{{}};{comment}")
            if isinstance(fv, Element):
                accessors += self.leaf_accessors(member(name), fv, False, inner)

    def leaf_comment(self, el, title):
        c = el.content
        desc = title or ""
        if c[0] in ("uq", "sq"):
            desc += f" [{el.bits} bits, LSB {c[1]} {c[2]}]".replace("  ", " ")
        elif c[0] == "octal":
            desc += f" [{el.bits} bits, octal]"
        elif c[0] == "table":
            desc += f" [{el.bits} bits, table]"
        else:
            desc += f" [{el.bits} bits, {c[0]}]"
        return desc.strip()

    def leaf_accessors(self, m, el, optional, inner):
        c = el.content
        out = []
        if c[0] in ("uq", "sq"):
            suf = unit_suffix(c[2])
            lsb = cpp_double(c[1])
            rt = leaf_type(el)
            signed = "true" if c[0] == "sq" else "false"
            if optional:
                out.append(f"{inner}std::optional<double> {m}_{suf}() const {{ if (!{m}) return "
                           f"std::nullopt; return static_cast<double>(*{m}) * {lsb}; }}")
                out.append(f"{inner}void set_{m}_{suf}(double physical) {{ {m} = "
                           f"codec::quantize<{rt}>(physical / {lsb}, {el.bits}, {signed}); }}")
            else:
                out.append(f"{inner}double {m}_{suf}() const {{ return static_cast<double>({m}) "
                           f"* {lsb}; }}")
                out.append(f"{inner}void set_{m}_{suf}(double physical) {{ {m} = "
                           f"codec::quantize<{rt}>(physical / {lsb}, {el.bits}, {signed}); }}")
        return out

    def member_type(self, var, tname, label, indent, nested):
        if isinstance(var, Element):
            return leaf_type(var)
        if isinstance(var, (Group, Extended, Compound)):
            flat = f"{self.flat_stack[-1]}_{tname}"
            self.flat_stack.append(flat)
            lines = self.struct_def(flat, var, label, 0)
            self.flat_stack.pop()
            self.pre += lines
            nested.append(f"{'  ' * indent}using {tname} = {flat};")
            return tname
        if isinstance(var, Repetitive):
            inner = self.member_type(var.var, tname + "Entry" if isinstance(
                var.var, (Group, Extended, Compound)) else tname, label, indent, nested)
            return f"std::vector<{inner}>"
        if isinstance(var, Explicit):
            return "Bytes"
        raise TypeError(var)

    # Codec emission --------------------------------------------------------------------

    def decode_fixed(self, fields, target, base_bit, label, out, ind):
        """Decodes fixed-bit fields at r.p + base_bit; target is the C++ lvalue prefix."""
        bit = base_bit
        for f in fields:
            if isinstance(f, Spare):
                bit += f.bits
                continue
            name, title, fv = f
            if isinstance(fv, Element):
                out.append(ind + self.decode_leaf(fv, f"{target}{member(name)}", bit))
                bit += fv.bits
            elif isinstance(fv, Group):
                bit = self.decode_fixed(fv.fields, f"{target}{member(name)}.", bit, label, out,
                                        ind)
            else:
                raise SpecError(f"{label}: variable-size field {name} inside a fixed group")
        return bit

    def decode_leaf(self, el, expr, bit):
        t = leaf_type(el)
        k = el.content[0]
        if k == "icao":
            return f"{expr}.raw = codec::get_bits(p, {bit}, {el.bits});"
        if k == "ascii":
            assert bit % 8 == 0
            return f"codec::get_chars(p + {bit // 8}, {expr});"
        if k in ("sq", "sint"):
            return f"{expr} = codec::sext<{t}>(codec::get_bits(p, {bit}, {el.bits}), {el.bits});"
        return f"{expr} = static_cast<{t}>(codec::get_bits(p, {bit}, {el.bits}));"

    def encode_leaf(self, el, expr, bit, label):
        k = el.content[0]
        fl = f'"{label}"'
        if k == "icao":
            return f"if (!w.put_u(p, {bit}, {el.bits}, {expr}.raw, {fl})) return false;"
        if k == "ascii":
            return f"codec::put_chars(p + {bit // 8}, {expr});"
        if k in ("sq", "sint"):
            return f"if (!w.put_s(p, {bit}, {el.bits}, {expr}, {fl})) return false;"
        return f"if (!w.put_u(p, {bit}, {el.bits}, {expr}, {fl})) return false;"

    def encode_fixed(self, fields, src, base_bit, label, out, ind):
        bit = base_bit
        for f in fields:
            if isinstance(f, Spare):
                bit += f.bits
                continue
            name, title, fv = f
            if isinstance(fv, Element):
                out.append(ind + self.encode_leaf(fv, f"{src}{member(name)}", bit,
                                                  f"{label} {name}"))
                bit += fv.bits
            elif isinstance(fv, Group):
                bit = self.encode_fixed(fv.fields, f"{src}{member(name)}.", bit, label, out, ind)
        return bit

    def json_fixed(self, fields, src, out, ind, siblings=None):
        for f in fields:
            if isinstance(f, Spare):
                continue
            name, title, fv = f
            out.append(f'{ind}j.key("{name}");')
            if isinstance(fv, Element):
                out.append(ind + self.json_leaf(fv, f"{src}{member(name)}", src, fields))
            elif isinstance(fv, Group):
                out.append(f"{ind}j.begin_object();")
                self.json_fixed(fv.fields, f"{src}{member(name)}.", out, ind)
                out.append(f"{ind}j.end_object();")

    def json_leaf(self, el, expr, src, fields):
        c = el.content
        k = c[0]
        if k in ("uq", "sq"):
            t = "std::int64_t" if k == "sq" else "std::uint64_t"
            return f"j.quantity(static_cast<{t}>({expr}), {cpp_double(c[1])});"
        if k in ("icao", "ascii"):
            return f"j.string({expr}.text());"
        if k == "octal":
            return f"j.octal({expr}, {(el.bits + 2) // 3});"
        if k == "bds" or (k == "raw" and el.bits >= 24):
            return f"j.hex({expr}, {(el.bits + 3) // 4});"
        if k in ("sint",):
            return f"j.integer(static_cast<std::int64_t>({expr}));"
        if k == "case":
            # case PATH: the sibling named by the last path component selects the content.
            sel = member(c[1].split("/")[-1])
            parts = []
            for val, content in sorted(c[2].items()):
                sub = self.json_leaf(Element(el.bits, content), expr, src, fields)
                parts.append(f"if ({src}{sel} == {val}) {{ {sub} }}")
            dflt = self.json_leaf(Element(el.bits, c[3] or ("raw",)), expr, src, fields)
            return " else ".join(parts) + f" else {{ {dflt} }}"
        return f"j.integer(static_cast<std::uint64_t>({expr}));"

    def random_fixed(self, fields, dst, out, ind):
        for f in fields:
            if isinstance(f, Spare):
                continue
            name, title, fv = f
            if isinstance(fv, Element):
                out.append(ind + self.random_leaf(fv, f"{dst}{member(name)}"))
            elif isinstance(fv, Group):
                self.random_fixed(fv.fields, f"{dst}{member(name)}.", out, ind)

    def random_leaf(self, el, expr):
        k = el.content[0]
        t = leaf_type(el)
        if k == "icao":
            return f"{expr}.raw = g.bits({el.bits});"
        if k == "ascii":
            return f"g.chars({expr});"
        if k in ("sq", "sint"):
            return f"{expr} = codec::sext<{t}>(g.bits({el.bits}), {el.bits});"
        return f"{expr} = static_cast<{t}>(g.bits({el.bits}));"

    def zero_fixed(self, fields, src, out, ind, label, partno):
        for f in fields:
            if isinstance(f, Spare):
                continue
            name, title, fv = f
            if isinstance(fv, Element):
                k = fv.content[0]
                e = f"{src}{member(name)}"
                cond = f"{e}.raw != 0" if k == "icao" else (
                    f"{e} != decltype({e}){{}}" if k == "ascii" else f"{e} != 0")
                out.append(f'{ind}if ({cond}) return w.fail("{label} {name}", "is set but '
                           f'extension {partno + 1} is absent (extents)");')
            elif isinstance(fv, Group):
                self.zero_fixed(fv.fields, f"{src}{member(name)}.", out, ind, label, partno)

    # Functions for one struct type (qualified name qn) ----------------------------------

    def emit_struct_codec(self, qn, var, label):
        C = self.c
        lab = f'"{label}"'
        if isinstance(var, Group):
            nbits = bit_size(var)
            nbytes = nbits // 8
            assert nbits % 8 == 0, label
            C.append(f"bool decode(codec::Reader& r, {qn}& v) {{")
            C.append(f"  if (!r.need({nbytes}, {lab})) return false;")
            C.append("  const std::uint8_t* p = r.p;")
            self.decode_fixed(var.fields, "v.", 0, label, C, "  ")
            C.append(f"  r.p += {nbytes};")
            C.append("  return true;")
            C.append("}")
            C.append(f"bool encode(codec::Writer& w, const {qn}& v) {{")
            C.append(f"  std::uint8_t* p = w.grow({nbytes});")
            self.encode_fixed(var.fields, "v.", 0, label, C, "  ")
            C.append("  return true;")
            C.append("}")
            C.append(f"void to_json(codec::JsonOut& j, const {qn}& v) {{")
            C.append("  j.begin_object();")
            self.json_fixed(var.fields, "v.", C, "  ")
            C.append("  j.end_object();")
            C.append("}")
            C.append(f"void randomize(codec::Random& g, {qn}& v) {{")
            self.random_fixed(var.fields, "v.", C, "  ")
            C.append("}")
        elif isinstance(var, Extended):
            n = len(var.parts)
            C.append(f"bool decode(codec::Reader& r, {qn}& v) {{")
            C.append("  const std::uint8_t* p = nullptr;")
            for i, part in enumerate(var.parts):
                bits = sum(bit_size(f if isinstance(f, Spare) else f[2]) for f in part)
                has_fx = i < n - 1 or var.last_fx
                total = bits + (1 if has_fx else 0)
                if total % 8:
                    raise SpecError(f"{label}: extended part {i} has {total} bits")
                nb = total // 8
                C.append(f"  if (!r.need({nb}, {lab})) return false;")
                C.append("  p = r.p;")
                self.decode_fixed(part, "v.", 0, label, C, "  ")
                C.append(f"  r.p += {nb};")
                C.append(f"  v.extents = {i + 1};")
                if has_fx:
                    C.append(f"  if ((p[{nb - 1}] & 1) == 0) return true;")
                else:
                    C.append("  return true;")
            if var.last_fx:
                C.append(f"  r.p -= 1;")
                C.append(f"  return r.fail({lab}, \"FX set in extension {n}, the last this "
                         f"edition defines\");")
            C.append("}")
            C.append(f"bool encode(codec::Writer& w, const {qn}& v) {{")
            C.append(f"  if (v.extents < 1 || v.extents > {n}) return w.fail({lab}, "
                     f"\"extents must be 1..{n}\");")
            C.append("  std::uint8_t* p = nullptr;")
            for i, part in enumerate(var.parts):
                bits = sum(bit_size(f if isinstance(f, Spare) else f[2]) for f in part)
                has_fx = i < n - 1 or var.last_fx
                nb = (bits + (1 if has_fx else 0)) // 8
                if i > 0:
                    C.append(f"  if (v.extents <= {i}) {{")
                    self.zero_fixed(part, "v.", C, "    ", label, i)
                    C.append("  } else {")
                    C.append(f"    p[-1] |= 1;")
                    ind = "    "
                else:
                    ind = "  "
                C.append(f"{ind}p = w.grow({nb});")
                self.encode_fixed(part, "v.", 0, label, C, ind)
                C.append(f"{ind}p += {nb};")
                if i > 0:
                    C.append("  }")
            C.append("  return true;")
            C.append("}")
            C.append(f"void to_json(codec::JsonOut& j, const {qn}& v) {{")
            C.append("  j.begin_object();")
            for i, part in enumerate(var.parts):
                if i > 0:
                    C.append(f"  if (v.extents > {i}) {{")
                self.json_fixed(part, "v.", C, "    " if i > 0 else "  ")
                if i > 0:
                    C.append("  }")
            C.append("  j.end_object();")
            C.append("}")
            C.append(f"void randomize(codec::Random& g, {qn}& v) {{")
            C.append(f"  v = {{}};")
            C.append(f"  v.extents = static_cast<std::uint8_t>(1 + g.below({n}));")
            for i, part in enumerate(var.parts):
                C.append(f"  if (v.extents > {i}) {{")
                self.random_fixed(part, "v.", C, "    ")
                C.append("  }")
            C.append("}")
        elif isinstance(var, Compound):
            slots = var.slots
            ns = len(slots)
            if var.fixed_octets:
                nocts = var.fixed_octets
                per = 8
            else:
                nocts = (ns + 6) // 7
                per = 7
            C.append(f"bool decode(codec::Reader& r, {qn}& v) {{")
            C.append(f"  std::uint8_t o[{nocts}] = {{}};")
            if var.fixed_octets:
                C.append(f"  if (!r.need({nocts}, {lab})) return false;")
                for i in range(nocts):
                    C.append(f"  o[{i}] = r.p[{i}];")
                C.append(f"  [[maybe_unused]] const std::uint8_t* fs = r.p;")
                C.append(f"  r.p += {nocts};")
            else:
                C.append(f"  [[maybe_unused]] const std::uint8_t* fs = r.p;")
                C.append(f"  if (!codec::read_fspec(r, o, {nocts}, {lab})) return false;")
            # undefined slots
            defined_mask = []
            for oc in range(nocts):
                m = 0
                for b in range(per):
                    k = oc * per + b
                    if k < ns and slots[k] is not None:
                        m |= 0x80 >> b
                if per == 7:
                    m |= 1
                defined_mask.append(m)
            for oc in range(nocts):
                if defined_mask[oc] != 0xFF:
                    C.append(f"  if (o[{oc}] & 0x{(~defined_mask[oc]) & 0xFF:02X}) {{ r.p = fs + "
                             f"{oc}; return r.fail({lab}, \"subfield bit set that this edition "
                             f"does not define\"); }}")
            for k, s in enumerate(slots):
                if s is None:
                    continue
                name, title, sv = s
                oc, b = k // per, k % per
                C.append(f"  if (o[{oc}] & 0x{0x80 >> b:02X}) {{")
                self.decode_member(sv, f"v.{member(name)}", f"{label} {name}", C, "    ",
                                   optional=True)
                C.append("  }")
            C.append("  return true;")
            C.append("}")
            # encode
            C.append(f"bool encode(codec::Writer& w, const {qn}& v) {{")
            C.append(f"  std::uint8_t o[{nocts}] = {{}};")
            last = []
            for k, s in enumerate(slots):
                if s is None:
                    continue
                name = s[0]
                oc, b = k // per, k % per
                C.append(f"  if (v.{member(name)}) o[{oc}] |= 0x{0x80 >> b:02X};")
            if var.fixed_octets:
                C.append(f"  std::uint8_t* fs = w.grow({nocts});")
                for i in range(nocts):
                    C.append(f"  fs[{i}] = o[{i}];")
            else:
                C.append(f"  codec::write_fspec(w, o, {nocts});")
            for k, s in enumerate(slots):
                if s is None:
                    continue
                name, title, sv = s
                C.append(f"  if (v.{member(name)}) {{")
                self.encode_member(sv, f"(*v.{member(name)})", f"{label} {name}", C, "    ")
                C.append("  }")
            C.append("  return true;")
            C.append("}")
            C.append(f"void to_json(codec::JsonOut& j, const {qn}& v) {{")
            C.append("  j.begin_object();")
            for s in slots:
                if s is None:
                    continue
                name, title, sv = s
                C.append(f"  if (v.{member(name)}) {{")
                C.append(f'    j.key("{name}");')
                self.json_member(sv, f"(*v.{member(name)})", C, "    ")
                C.append("  }")
            C.append("  j.end_object();")
            C.append("}")
            C.append(f"void randomize(codec::Random& g, {qn}& v) {{")
            for s in slots:
                if s is None:
                    continue
                name, title, sv = s
                C.append(f"  if (g.coin()) {{")
                C.append(f"    auto& x = v.{member(name)}.emplace();")
                self.random_member(sv, "x", C, "    ")
                C.append(f"  }} else {{")
                C.append(f"    v.{member(name)}.reset();")
                C.append("  }")
            C.append("}")
        else:
            raise TypeError(var)

    def emit_wrapper_codec(self, qn, var, label):
        C = self.c
        C.append(f"bool decode(codec::Reader& r, {qn}& v) {{")
        self.decode_member(var, "v.value", label, C, "  ", optional=False)
        C.append("  return true;")
        C.append("}")
        C.append(f"bool encode(codec::Writer& w, const {qn}& v) {{")
        self.encode_member(var, "v.value", label, C, "  ")
        C.append("  return true;")
        C.append("}")
        C.append(f"void to_json(codec::JsonOut& j, const {qn}& v) {{")
        self.json_member(var, "v.value", C, "  ")
        C.append("}")
        C.append(f"void randomize(codec::Random& g, {qn}& v) {{")
        self.random_member(var, "v.value", C, "  ")
        C.append("}")

    def decode_member(self, var, target, label, C, ind, optional):
        lab = f'"{label}"'
        tgt = f"{target}.emplace()" if optional else target
        if isinstance(var, Element):
            nb = var.bits
            if nb % 8:
                raise SpecError(f"{label}: element of {nb} bits alone")
            C.append(f"{ind}if (!r.need({nb // 8}, {lab})) return false;")
            C.append(f"{ind}{{")
            C.append(f"{ind}  const std::uint8_t* p = r.p;")
            C.append(f"{ind}  auto& e = {tgt};")
            C.append(f"{ind}  " + self.decode_leaf(var, "e", 0))
            C.append(f"{ind}  r.p += {nb // 8};")
            C.append(f"{ind}}}")
        elif isinstance(var, (Group, Extended, Compound)):
            C.append(f"{ind}if (!decode(r, {tgt})) return false;")
        elif isinstance(var, Repetitive):
            C.append(f"{ind}{{")
            C.append(f"{ind}  auto& list = {tgt};")
            inner = var.var
            isz = bit_size(inner)
            if var.rep == "fx":
                if isz is None or (isz + 1) % 8:
                    raise SpecError(f"{label}: repetitive fx of {isz} bits")
                nb = (isz + 1) // 8
                C.append(f"{ind}  list.clear();")
                C.append(f"{ind}  for (;;) {{")
                C.append(f"{ind}    if (!r.need({nb}, {lab})) return false;")
                C.append(f"{ind}    const std::uint8_t* p = r.p;")
                C.append(f"{ind}    auto& e = list.emplace_back();")
                self.decode_fixed_any(inner, "e", C, ind + "    ", label)
                C.append(f"{ind}    r.p += {nb};")
                C.append(f"{ind}    if ((p[{nb - 1}] & 1) == 0) break;")
                C.append(f"{ind}  }}")
            else:
                assert var.rep == 1
                C.append(f"{ind}  if (!r.need(1, {lab})) return false;")
                C.append(f"{ind}  const std::size_t n = *r.p;")
                if isz is not None:
                    assert isz % 8 == 0
                    nb = isz // 8
                    C.append(f"{ind}  if (!r.need_repeated(n, {nb}, {lab})) return false;")
                    C.append(f"{ind}  r.p += 1;")
                    C.append(f"{ind}  list.resize(n);")
                    C.append(f"{ind}  for (auto& e : list) {{")
                    C.append(f"{ind}    const std::uint8_t* p = r.p;")
                    self.decode_fixed_any(inner, "e", C, ind + "    ", label)
                    C.append(f"{ind}    r.p += {nb};")
                    C.append(f"{ind}  }}")
                else:
                    C.append(f"{ind}  r.p += 1;")
                    C.append(f"{ind}  if (!r.need(n, {lab})) return false;  // at least 1 byte each")
                    C.append(f"{ind}  list.resize(n);")
                    C.append(f"{ind}  for (auto& e : list) if (!decode(r, e)) return false;")
            C.append(f"{ind}}}")
        elif isinstance(var, Explicit):
            C.append(f"{ind}if (!codec::read_explicit(r, {tgt}, {lab})) return false;")
        else:
            raise TypeError(var)

    def decode_fixed_any(self, inner, e, C, ind, label):
        if isinstance(inner, Element):
            C.append(ind + self.decode_leaf(inner, e, 0))
        elif isinstance(inner, Group):
            self.decode_fixed(inner.fields, f"{e}.", 0, label, C, ind)
        else:
            raise SpecError(f"{label}: repetition of a variable structure")

    def encode_member(self, var, src, label, C, ind):
        lab = f'"{label}"'
        if isinstance(var, Element):
            nb = var.bits // 8
            C.append(f"{ind}{{")
            C.append(f"{ind}  std::uint8_t* p = w.grow({nb});")
            C.append(f"{ind}  const auto& e = {src};")
            C.append(f"{ind}  " + self.encode_leaf(var, "e", 0, label))
            C.append(f"{ind}}}")
        elif isinstance(var, (Group, Extended, Compound)):
            C.append(f"{ind}if (!encode(w, {src})) return false;")
        elif isinstance(var, Repetitive):
            inner = var.var
            isz = bit_size(inner)
            C.append(f"{ind}{{")
            C.append(f"{ind}  const auto& list = {src};")
            if var.rep == "fx":
                nb = (isz + 1) // 8
                C.append(f"{ind}  if (list.empty()) return w.fail({lab}, \"needs at least one "
                         f"entry\");")
                C.append(f"{ind}  for (std::size_t i = 0; i < list.size(); ++i) {{")
                C.append(f"{ind}    std::uint8_t* p = w.grow({nb});")
                C.append(f"{ind}    const auto& e = list[i];")
                self.encode_fixed_any(inner, "e", C, ind + "    ", label)
                C.append(f"{ind}    if (i + 1 < list.size()) p[{nb - 1}] |= 1;")
                C.append(f"{ind}  }}")
            else:
                C.append(f"{ind}  if (list.size() > 255) return w.fail({lab}, \"more than 255 "
                         f"repetitions\");")
                C.append(f"{ind}  *w.grow(1) = static_cast<std::uint8_t>(list.size());")
                if isz is not None:
                    nb = isz // 8
                    C.append(f"{ind}  for (const auto& e : list) {{")
                    C.append(f"{ind}    std::uint8_t* p = w.grow({nb});")
                    self.encode_fixed_any(inner, "e", C, ind + "    ", label)
                    C.append(f"{ind}  }}")
                else:
                    C.append(f"{ind}  for (const auto& e : list) if (!encode(w, e)) return false;")
            C.append(f"{ind}}}")
        elif isinstance(var, Explicit):
            C.append(f"{ind}if (!codec::write_explicit(w, {src}, {lab})) return false;")

    def encode_fixed_any(self, inner, e, C, ind, label):
        if isinstance(inner, Element):
            C.append(ind + self.encode_leaf(inner, e, 0, label))
        else:
            self.encode_fixed(inner.fields, f"{e}.", 0, label, C, ind)

    def json_member(self, var, src, C, ind):
        if isinstance(var, Element):
            C.append(ind + self.json_leaf(var, src, "", []))
        elif isinstance(var, (Group, Extended, Compound)):
            C.append(f"{ind}to_json(j, {src});")
        elif isinstance(var, Repetitive):
            C.append(f"{ind}j.begin_array();")
            C.append(f"{ind}for (const auto& e : {src}) {{")
            if isinstance(var.var, Element):
                C.append(f"{ind}  " + self.json_leaf(var.var, "e", "", []))
            elif isinstance(var.var, Group):
                C.append(f"{ind}  j.begin_object();")
                self.json_fixed(var.var.fields, "e.", C, ind + "  ")
                C.append(f"{ind}  j.end_object();")
            else:
                C.append(f"{ind}  to_json(j, e);")
            C.append(f"{ind}}}")
            C.append(f"{ind}j.end_array();")
        elif isinstance(var, Explicit):
            C.append(f"{ind}j.bytes({src});")

    def random_member(self, var, dst, C, ind):
        if isinstance(var, Element):
            C.append(ind + self.random_leaf(var, dst))
        elif isinstance(var, (Group, Extended, Compound)):
            C.append(f"{ind}randomize(g, {dst});")
        elif isinstance(var, Repetitive):
            lo = 1 if var.rep == "fx" else 0
            C.append(f"{ind}{dst}.resize({lo} + g.below(3));")
            C.append(f"{ind}for (auto& e : {dst}) {{")
            if isinstance(var.var, Element):
                C.append(f"{ind}  " + self.random_leaf(var.var, "e"))
            elif isinstance(var.var, Group):
                self.random_fixed(var.var.fields, "e.", C, ind + "  ")
            else:
                C.append(f"{ind}  randomize(g, e);")
            C.append(f"{ind}}}")
        elif isinstance(var, Explicit):
            C.append(f"{ind}g.bytes({dst});")

    # Whole category ---------------------------------------------------------------------

    def run(self):
        cat = self.cat
        ns = f"cat{cat}"
        # Distinct item structures across editions, named I<id> (or I<id>_v<edition> when an
        # item changed between editions).
        variants = {}  # item -> list of (sig, first_edition, var, title)
        for sp in self.specs:
            for name in sp.order:
                if name in ("SP", "RE"):
                    continue
                title, var = sp.items[name]
                sig = signature(var)
                lst = variants.setdefault(name, [])
                if not any(s == sig for s, *_ in lst):
                    lst.append((sig, sp.edition, var, title))
        tnames = {}  # (item, sig) -> type name
        for name, lst in variants.items():
            for sig, ed, var, title in lst:
                tn = f"I{name}" if len(lst) == 1 else f"I{name}_v{ed.replace('.', '_')}"
                tnames[(name, sig)] = tn
        H = self.h
        H.append(f"// CAT{cat} record and item types, one namespace per edition. GENERATED by")
        H.append(f"// scripts/asterix_codegen.py from zoranbosnjak/asterix-specs (BSD-3-Clause);")
        H.append(f"// DO NOT EDIT. Each leaf holds its raw bits; quantity accessors convert to the")
        H.append(f"// unit in their name. docs/protocols.md describes the conventions.")
        for ecat, item, path, content, why in ERRATA:
            if ecat == cat:
                kind = "signed" if content[0] in ("sq", "sint") else "unsigned"
                lsb = f", LSB {content[1]} {content[2]}" if len(content) > 1 else ""
                H.append(f"// Corrected: I{cat}/{item} {'/'.join(path)} is {kind}{lsb} ({why}).")
        H.append("#pragma once")
        H.append("")
        H.append('#include "picket/protocols/asterix/codec.h"')
        H.append("")
        H.append(f"namespace picket::asterix::{ns} {{")
        H.append("")
        self.all_structs = []  # (qualified type name, var, label, wrapper)
        for name, lst in sorted(variants.items(), key=lambda kv: kv[0]):
            for sig, ed, var, title in lst:
                tn = tnames[(name, sig)]
                eds = [sp.edition for sp in self.specs
                       if name in sp.items and signature(sp.items[name][1]) == sig]
                H.append(f"// I{cat}/{name} {title} (editions {', '.join(eds)})")
                label = f"I{cat}/{name}"
                self.pre, self.flat_stack = [], [tn]
                wrapper = not isinstance(var, (Group, Extended, Compound))
                lines = self.struct_def(tn, var, label, 0, wrapper=wrapper)
                H += self.pre + lines
                self.collect_structs(f"{ns}::{tn}", var, label, wrapper)
                H.append("")
        # REF (Reserved Expansion Field) types
        ref_tn = None
        if self.ref is not None:
            ref_tn = f"Ref{self.ref.edition.replace('.', '_')}"
            H.append(f"// Reserved Expansion Field, REF edition {self.ref.edition}")
            self.pre, self.flat_stack = [], [ref_tn]
            lines = self.struct_def(ref_tn, self.ref.compound, f"I{cat}/RE", 0)
            H += self.pre + lines
            self.collect_structs(f"{ns}::{ref_tn}", self.ref.compound, f"I{cat}/RE", False)
            H.append("")
        # codec function declarations for every struct type
        H.append("// Codec functions for every item type (generated; see codec.h).")
        for qn, var, label, wrapper in self.all_structs:
            H.append(f"bool decode(codec::Reader& r, {qn}& v);")
            H.append(f"bool encode(codec::Writer& w, const {qn}& v);")
            H.append(f"void to_json(codec::JsonOut& j, const {qn}& v);")
            H.append(f"void randomize(codec::Random& g, {qn}& v);")
        H.append("")
        # Per edition: aliases and the record
        for sp in self.specs:
            en = "ed" + sp.edition.replace(".", "_")
            H.append(f"// CAT{cat} edition {sp.edition}")
            H.append(f"namespace {en} {{")
            H.append(f'inline constexpr const char* kEdition = "{sp.edition}";')
            for name in sp.order:
                if name in ("SP", "RE"):
                    continue
                tn = tnames[(name, signature(sp.items[name][1]))]
                H.append(f"using I{name} = {ns}::{tn};")
            H.append("")
            H.append("struct Record {")
            for frn, name in enumerate(sp.uap, 1):
                if name is None:
                    continue
                title = sp.items[name][0]
                if name == "SP":
                    H.append(f"  std::optional<Bytes> sp;  // FRN {frn}: {title}")
                elif name == "RE":
                    H.append(f"  std::optional<Bytes> re;  // FRN {frn}: {title}, raw")
                    if ref_tn:
                        H.append(f"  std::optional<{ref_tn}> re_fields;  // the RE decoded by "
                                 f"REF {self.ref.edition} (then `re` is empty)")
                else:
                    H.append(f"  std::optional<I{name}> i{name.lower()};  // FRN {frn}: {title}")
            H.append("  bool operator==(const Record&) const = default;")
            H.append("};")
            H.append("bool decode(codec::Reader& r, Record& v);")
            H.append("bool encode(codec::Writer& w, const Record& v);")
            H.append("void to_json(codec::JsonOut& j, const Record& v);")
            H.append("void randomize(codec::Random& g, Record& v);")
            H.append(f"}}  // namespace {en}")
            H.append("")
        H.append(f"}}  // namespace picket::asterix::{ns}")

        # Source
        C = self.c
        C.append(f"// CAT{cat} codecs. GENERATED by scripts/asterix_codegen.py from")
        C.append("// zoranbosnjak/asterix-specs (BSD-3-Clause); DO NOT EDIT.")
        C.append(f'#include "picket/protocols/asterix/gen/cat{cat}.h"')
        C.append("")
        C.append(f"namespace picket::asterix::{ns} {{")
        C.append("")
        for qn, var, label, wrapper in self.all_structs:
            if wrapper:
                self.emit_wrapper_codec(qn, var, label)
            else:
                self.emit_struct_codec(qn, var, label)
            C.append("")
        for sp in self.specs:
            self.emit_record(sp, ref_tn)
        C.append(f"}}  // namespace picket::asterix::{ns}")

    def collect_structs(self, qn, var, label, wrapper):
        """Lists struct types that need codec functions, children first. Groups nested in a
        fixed structure (group, extended) are decoded inline and need none."""
        if isinstance(var, Compound):
            for s in var.slots:
                if s is None:
                    continue
                name, title, sv = s
                self.collect_child(qn, name, sv, f"{label} {name}")
        elif wrapper:
            self.collect_child(qn, "Value", var, label)
        self.all_structs.append((qn, var, label, wrapper))

    def collect_child(self, parent_qn, name, var, label):
        if isinstance(var, (Group, Extended, Compound)):
            self.collect_structs(f"{parent_qn}::{type_name(name)}", var, label, False)
        elif isinstance(var, Repetitive) and isinstance(var.var, (Extended, Compound)):
            self.collect_structs(f"{parent_qn}::{type_name(name)}Entry", var.var, label, False)

    def emit_record(self, sp, ref_tn):
        C = self.c
        cat = self.cat
        en = "ed" + sp.edition.replace(".", "_")
        uap = sp.uap
        nfrn = len(uap)
        nocts = (nfrn + 6) // 7
        C.append(f"namespace {en} {{")
        C.append("bool decode(codec::Reader& r, Record& v) {")
        C.append(f"  std::uint8_t o[{nocts}] = {{}};")
        C.append("  [[maybe_unused]] const std::uint8_t* fs = r.p;")
        C.append(f'  if (!codec::read_fspec(r, o, {nocts}, "FSPEC")) return false;')
        for oc in range(nocts):
            m = 1
            for b in range(7):
                k = oc * 7 + b
                if k < nfrn and uap[k] is not None:
                    m |= 0x80 >> b
            if m != 0xFF:
                C.append(f"  if (o[{oc}] & 0x{(~m) & 0xFF:02X}) {{ r.p = fs + {oc}; return "
                         f"r.fail(\"FSPEC\", codec::undefined_frn(o[{oc}], 0x{(~m) & 0xFF:02X}, "
                         f"{oc}, {int(cat)}, kEdition)); }}")
        for k, name in enumerate(uap):
            if name is None:
                continue
            oc, b = k // 7, k % 7
            C.append(f"  if (o[{oc}] & 0x{0x80 >> b:02X}) {{")
            if name == "SP":
                C.append('    if (!codec::read_explicit(r, v.sp.emplace(), "SP")) return false;')
            elif name == "RE":
                if ref_tn:
                    C.append(f'    if (!codec::read_re(r, v.re, v.re_fields, "I{cat}/RE")) '
                             f'return false;')
                else:
                    C.append(f'    if (!codec::read_explicit(r, v.re.emplace(), "I{cat}/RE")) '
                             f'return false;')
            else:
                C.append(f"    if (!decode(r, v.i{name.lower()}.emplace())) return false;")
            C.append("  }")
        C.append("  return true;")
        C.append("}")
        # encode
        C.append("bool encode(codec::Writer& w, const Record& v) {")
        C.append(f"  std::uint8_t o[{nocts}] = {{}};")
        for k, name in enumerate(uap):
            if name is None:
                continue
            oc, b = k // 7, k % 7
            if name == "RE" and ref_tn:
                cond = "v.re || v.re_fields"
            else:
                cond = f"v.{self.rec_member(name)}"
            C.append(f"  if ({cond}) o[{oc}] |= 0x{0x80 >> b:02X};")
        C.append(f"  codec::write_fspec(w, o, {nocts});")
        for k, name in enumerate(uap):
            if name is None:
                continue
            if name == "SP":
                C.append('  if (v.sp && !codec::write_explicit(w, *v.sp, "SP")) return false;')
            elif name == "RE":
                if ref_tn:
                    C.append(f'  if (!codec::write_re(w, v.re, v.re_fields, "I{cat}/RE")) '
                             f'return false;')
                else:
                    C.append(f'  if (v.re && !codec::write_explicit(w, *v.re, "I{cat}/RE")) '
                             f'return false;')
            else:
                C.append(f"  if (v.i{name.lower()} && !encode(w, *v.i{name.lower()})) return "
                         f"false;")
        C.append("  return true;")
        C.append("}")
        # json
        C.append("void to_json(codec::JsonOut& j, const Record& v) {")
        for name in uap:
            if name is None:
                continue
            if name == "SP":
                C.append('  if (v.sp) { j.key("SP"); j.bytes(*v.sp); }')
            elif name == "RE":
                C.append('  if (v.re) { j.key("RE"); j.bytes(*v.re); }')
                if ref_tn:
                    C.append('  if (v.re_fields) { j.key("RE"); to_json(j, *v.re_fields); }')
            else:
                C.append(f'  if (v.i{name.lower()}) {{ j.key("I{name}"); '
                         f'to_json(j, *v.i{name.lower()}); }}')
        C.append("}")
        # random
        C.append("void randomize(codec::Random& g, Record& v) {")
        C.append("  v = {};")
        for name in uap:
            if name is None:
                continue
            if name == "SP":
                C.append("  if (g.coin()) g.bytes(v.sp.emplace());")
            elif name == "RE":
                if ref_tn:
                    C.append("  if (g.coin()) randomize(g, v.re_fields.emplace());")
                else:
                    C.append("  if (g.coin()) g.bytes(v.re.emplace());")
            else:
                C.append(f"  if (g.coin()) randomize(g, v.i{name.lower()}.emplace());")
        C.append("}")
        C.append(f"}}  // namespace {en}")
        C.append("")

    def rec_member(self, name):
        if name == "SP":
            return "sp"
        if name == "RE":
            return "re"
        return f"i{name.lower()}"


def edition_key(ed):
    a, b = ed.split(".")
    return (int(a), int(b))


def load_category(specs_dir, cat):
    d = os.path.join(specs_dir, f"cat{cat}")
    specs, refs = [], []
    for f in sorted(os.listdir(d)):
        if not f.endswith(".ast"):
            continue
        sp = Spec(os.path.join(d, f))
        (specs if sp.kind == "asterix" else refs).append(sp)
    specs.sort(key=lambda s: edition_key(s.edition))
    used = set()
    for sp in specs:
        for item, path, why in apply_errata(sp, cat):
            used.add((item, tuple(path)))
    for ecat, item, path, content, why in ERRATA:
        if ecat == cat and (item, tuple(path)) not in used:
            raise SpecError(f"erratum for I{cat}/{item} {'/'.join(path)} matches no edition")
    refs.sort(key=lambda s: edition_key(s.edition))
    return specs, (refs[-1] if refs else None)


def registry(all_specs):
    H = []
    H.append("// The supported categories and editions. GENERATED by scripts/asterix_codegen.py;")
    H.append("// DO NOT EDIT.")
    H.append("#pragma once")
    H.append("")
    H.append("#include <variant>")
    H.append("")
    for cat in all_specs:
        H.append(f'#include "picket/protocols/asterix/gen/cat{cat}.h"')
    H.append("")
    H.append("namespace picket::asterix {")
    H.append("")
    H.append("// Every record type, one per category edition (oldest first within a category).")
    H.append("using AnyRecord = std::variant<")
    alts = []
    for cat, specs in all_specs.items():
        for sp in specs:
            alts.append(f"    cat{cat}::ed{sp.edition.replace('.', '_')}::Record")
    H.append(",\n".join(alts) + ">;")
    H.append("")
    H.append("struct EditionInfo {")
    H.append("  int category;")
    H.append("  const char* edition;")
    H.append("  std::size_t index;  // of its record type in AnyRecord")
    H.append("  bool latest;")
    H.append("};")
    H.append("")
    H.append("inline constexpr EditionInfo kEditions[] = {")
    i = 0
    for cat, specs in all_specs.items():
        for j, sp in enumerate(specs):
            latest = "true" if j == len(specs) - 1 else "false"
            H.append(f'    {{{int(cat)}, "{sp.edition}", {i}, {latest}}},')
            i += 1
    H.append("};")
    H.append("")
    H.append("}  // namespace picket::asterix")
    return H


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser()
    shared = os.environ.get("PICKET_SHARED_DIR", os.path.join(repo, "..", "shared"))
    ap.add_argument("--specs", default=os.environ.get(
        "ASTERIX_SPECS", os.path.join(shared, "data", "asterix", "zoranbosnjak_asterix-specs",
                                      "specs")))
    ap.add_argument("--out", default=repo)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    outputs = {}
    all_specs = {}
    for cat in CATEGORIES:
        specs, ref = load_category(a.specs, cat)
        all_specs[cat] = specs
        em = Emitter(cat, specs, ref)
        em.run()
        outputs[f"src/protocols/include/picket/protocols/asterix/gen/cat{cat}.h"] = em.h
        outputs[f"src/protocols/asterix/gen/cat{cat}.cpp"] = em.c
    outputs["src/protocols/include/picket/protocols/asterix/gen/registry.h"] = registry(all_specs)
    stale = []
    fmt = shutil.which("clang-format")
    for rel, lines in outputs.items():
        text = "\n".join(lines) + "\n"
        if fmt:  # the committed files pass `make format-check`
            text = subprocess.run([fmt, f"--assume-filename={rel}", f"--style=file:{repo}/.clang-format"],
                                  input=text, capture_output=True, text=True, check=True).stdout
        path = os.path.join(a.out, rel)
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if a.check:
            if old != text:
                stale.append(rel)
            continue
        if old != text:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"wrote {rel}")
    if stale:
        print("stale generated files (run scripts/asterix_codegen.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
