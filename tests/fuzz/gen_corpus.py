#!/usr/bin/env python3
"""Writes the seed corpora (tests/fuzz/corpus/TARGET/) and dictionaries (tests/fuzz/TARGET.dict).

    python3 tests/fuzz/gen_corpus.py

Seeds are the hand-made inputs listed below (valid and invalid, named for what they try) plus
patterns and events taken from tests/conformance/cases.jsonl (named conf-SHA1PREFIX). Running it
again rewrites the same files; it removes only files it would write itself (hand-*, conf-*), so
inputs added by hand under other names stay. Regressions (crashers) go to regressions/, not here.
"""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "..", "conformance", "cases.jsonl")

# ---- hand-made seeds: (name, bytes) ----

PATTERNS = [
    # one per operator, valid
    ("exact-string", r'{"source":["aws.ec2","aws.s3"]}'),
    ("exact-number", r'{"n":[5,-1.5e3,0,1e-3,12345678901234567890]}'),
    ("exact-literals", r'{"v":[null,true,false],"z":["null"]}'),
    ("prefix", r'{"s":[{"prefix":"ab"}]}'),
    ("prefix-empty", r'{"s":[{"prefix":""}]}'),
    ("suffix", r'{"s":[{"suffix":"yz"}]}'),
    ("eic", r'{"s":[{"equals-ignore-case":"\u00c9COLE \u03a3"}]}'),
    ("prefix-eic", r'{"s":[{"prefix":{"equals-ignore-case":"AB"}}]}'),
    ("suffix-eic", r'{"s":[{"suffix":{"equals-ignore-case":"\u212aELVIN"}}]}'),
    ("wildcard", r'{"s":[{"wildcard":"a*b*c"},{"wildcard":"*x"},{"wildcard":"\\**"}]}'),
    ("wildcard-star", r'{"q":[{"wildcard":"*"}]}'),
    ("ab-string", r'{"s":[{"anything-but":"abc"}]}'),
    ("ab-strings", r'{"s":[{"anything-but":["a","b",""]}]}'),
    ("ab-number", r'{"n":[{"anything-but":5}]}'),
    ("ab-numbers", r'{"n":[{"anything-but":[1,2.5,-0]}]}'),
    ("ab-prefix", r'{"s":[{"anything-but":{"prefix":"x"}}]}'),
    ("ab-prefix-list", r'{"s":[{"anything-but":{"prefix":["x","yy"]}}]}'),
    ("ab-suffix", r'{"s":[{"anything-but":{"suffix":"z"}}]}'),
    ("ab-suffix-list", r'{"s":[{"anything-but":{"suffix":["a","bc"]}}]}'),
    ("ab-eic", r'{"s":[{"anything-but":{"equals-ignore-case":"Q"}}]}'),
    ("ab-eic-list", r'{"s":[{"anything-but":{"equals-ignore-case":["Q","\u00df"]}}]}'),
    ("ab-wildcard", r'{"s":[{"anything-but":{"wildcard":"*q*"}}]}'),
    ("ab-wildcard-list", r'{"a":[{"anything-but":{"wildcard":["x*","*y"]}}]}'),
    ("numeric", r'{"n":[{"numeric":[">",0,"<=",10]},{"numeric":["<",-100]},{"numeric":["=",3.5]}]}'),
    ("numeric-ge-lt", r'{"n":[{"numeric":[">=",-5,"<",5]}]}'),
    ("exists", r'{"a":{"b":[{"exists":true}],"c":[{"exists":false}]}}'),
    ("exists-false-alt", r'{"s":["maybe",{"exists":false}]}'),
    ("cidr", r'{"ip":[{"cidr":"10.0.0.0/8"},{"cidr":"2001:db8::/32"}]}'),
    ("cidr-host", r'{"ip":[{"cidr":"192.168.1.1/32"},{"cidr":"::ffff:0:0/96"}]}'),
    ("or", r'{"a":{"b":[1]},"$or":[{"d":[{"exists":true}]},{"e":["y"]}]}'),
    ("or-nested", r'{"$or":[{"a":["x"]},{"$or":[{"b":[1]},{"c":[{"exists":false}]}]}]}'),
    ("nested", r'{"x":{"y":{"z":["deep"]}},"k\"ey":["v"],"":["empty-key"]}'),
    ("array-objects", r'{"arr":{"id":[1],"name":["one"]}}'),
    ("self-match", r'{"a":["x"],"n":[1],"b":[true]}'),
    ("unicode-raw", '{"s":["stra\u00dfe \U0001F600"]}'),
    # invalid patterns
    ("bad-not-object", "[1]"),
    ("bad-empty", "{}"),
    ("bad-empty-list", r'{"a":[]}'),
    ("bad-scalar", r'{"a":"x"}'),
    ("bad-list-in-list", r'{"a":[[1]]}'),
    ("bad-unknown-op", r'{"a":[{"regex":"x"}]}'),
    ("bad-two-ops", r'{"a":[{"prefix":"x","suffix":"y"}]}'),
    ("bad-wildcard", r'{"a":[{"wildcard":"a**b"}]}'),
    ("bad-wildcard-escape", r'{"a":[{"wildcard":"a\\b"}]}'),
    ("bad-numeric-reversed", r'{"a":[{"numeric":[">",5,"<",1]}]}'),
    ("bad-numeric-op", r'{"a":[{"numeric":["!=",5]}]}'),
    ("bad-numeric-huge", r'{"a":[{"numeric":["<",1e400]}]}'),
    ("bad-cidr", r'{"a":[{"cidr":"10.0.0.0/33"}]}'),
    ("bad-ab-mixed", r'{"a":[{"anything-but":["x",1]}]}'),
    ("bad-ab-prefix-empty", r'{"a":[{"anything-but":{"prefix":""}}]}'),
    ("bad-or-one", r'{"$or":[{"a":["x"]}]}'),
    ("bad-exists", r'{"a":[{"exists":"yes"}]}'),
    ("bad-duplicate-key", r'{"a":["x"],"a":["y"]}'),
    ("bad-json", r'{"a":["x"'),
    ("bad-utf8", b'{"a":["\xc0\xaf"]}'),
    ("bad-surrogate", r'{"a":["\ud800"]}'),
    ("bad-or-blowup", '{"$or":[' + ",".join('{"a%d":["x"]}' % i for i in range(40)) + '],'
     '"b":[1,{"exists":false}],"$or":[' + ",".join('{"c%d":[1]}' % i for i in range(30)) + ']}'),
]

EVENTS = [
    ("ec2", r'{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification",'
            r'"detail":{"state":"running","instance-id":"i-1"}}'),
    ("numbers", r'{"n":[5,-1.5e3,0,-0.0,1e-3,3.5,12345678901234567890,1e308,-101],"m":0}'),
    ("number-huge", r'{"n":1e400,"m":-1e400}'),
    ("number-strings", r'{"n":"5","v":"null"}'),
    ("literals", r'{"v":[null,true,false],"b":true,"f":false,"z":null}'),
    ("strings", r'{"s":"abyz","t":"","w":"x\\y"}'),
    ("strings-case", r'{"s":["ABC","abc","Ab","xYZ","\u00e9COLE \u03c3","STRASSE","kelvin"]}'),
    ("unicode-escapes", r'{"s":"\u00c9cole \u03a3","uni\u00e9":"\ud83d\ude00","k\"ey":"v","":"empty-key"}'),
    ("unicode-raw", '{"s":"stra\u00dfe \u212aELVIN \U0001F600","x":{"y":{"z":"deep"}}}'),
    ("wildcards", r'{"s":["a-b-c","ax","*","q","\\","x*y","aXbYc"],"w":"\\"}'),
    ("anything-but", r'{"s":["a","b","",null,1],"n":[1,2.5,0,"x"]}'),
    ("prefix-suffix", r'{"s":["xray","yyz","maybe","or1","exact","abc!"],"n":["1x",10]}'),
    ("ip4", r'{"ip":["10.1.2.3","10.0.0.1","192.168.1.1","0.0.0.0","255.255.255.255"]}'),
    ("ip6", r'{"ip":["2001:db8::1","::ffff:10.0.0.1","::","2001:DB8:0:0:0:0:0:1","fe80::1%eth0"]}'),
    ("ip-bad", r'{"ip":["10.1.2","10.1.2.3.4","256.1.1.1","1::2::3","10.0.0.01"]}'),
    ("exists", r'{"a":{"b":1,"c":"x"},"d":{},"e":"y"}'),
    ("exists-absent", r'{"a":{"b":[]},"s":"exact","n":1}'),
    ("or", r'{"s":"or1","n":7,"a":{"b":"deep-or"},"v":true}'),
    ("array-objects", r'{"arr":[{"id":1,"name":"two"},{"id":2,"name":"one","tags":[{"k":"x"}]}],'
                      r'"source":"aws.s3"}'),
    ("array-objects-match", r'{"arr":[{"id":1,"name":"one"},{"id":3,"tags":{"k":["x","y"]}}],'
                            r'"source":""}'),
    ("array-nested", r'{"detail":{"state":"running","items":[{"sku":"A-1","qty":0},'
                     r'{"sku":"A-2","qty":[1,2]},[{"sku":"A-3","qty":5}]]}}'),
    ("array-deep", r'{"a":[[[[[[[[[[1]]]]]]]]]],"arr":[[{"id":2}],{"id":[2,3]}]}'),
    ("duplicate-keys", r'{"s":"a","s":"abc","a":{"b":1},"a":{"c":"x"}}'),
    ("whitespace", ' \r\n\t{ "s" : "ab" , "n" : [ 1 , 2 ] } \n'),
    ("empty", "{}"),
    # the event's object and its nested containers: 256 levels pass, 257 do not
    ("depth-256", '{"x":' + "[" * 255 + "]" * 255 + "}"),
    ("depth-257", '{"x":' + "[" * 256 + "]" * 256 + "}"),
    ("depth-named-256", '{"arr":' + "[" * 255 + "]" * 255 + "}"),
    ("depth-named-257", '{"arr":' + "[" * 256 + "]" * 256 + "}"),
    # invalid events
    ("bad-truncated", r'{"a":'),
    ("bad-array-root", "[]"),
    ("bad-trailing", r'{"a":1}x'),
    ("bad-trailing-comma", r'{"a":[1,],}'),
    ("bad-surrogate", r'{"a":"\ud800"}'),
    ("bad-utf8", b'{"s":"\xff\xfe","a":"\xed\xa0\x80"}'),
    ("bad-control", b'{"s":"a\x01b"}'),
    ("bad-number", r'{"n":01}'),
    ("bad-number-dot", r'{"n":1.}'),
    ("bad-literal", r'{"v":tru}'),
    ("bad-key", r'{s:1}'),
    ("bad-nul", b'{"s":"a"}\x00'),
]

JSONS = [
    ("object", r'{"a":1,"b":[true,false,null],"c":{"d":"e"}}'),
    ("string", r'"x"'),
    ("number", "123"),
    ("number-neg-zero", "-0.0e-0"),
    ("number-forms", "[0,-0,1.5,1e5,1E+5,1e-5,-1.25E-3,12345678901234567890123]"),
    ("number-range", "[1e400,-1e400,1e-400,4.9e-324,1.7976931348623157e308,2.2250738585072014e-308]"),
    ("literals", "[true,false,null]"),
    ("escapes", r'{"a":"\"\\\/\b\f\n\r\t"}'),
    ("unicode-escapes", r'["\u0000","\u001f","\u00e9","\u212a","\ud83d\ude00","\uFFFF"]'),
    ("unicode-raw", '["\u00e9","\u212a","\U0001F600","\uffff"]'),
    ("nul-key", r'{"\u0000":1,"a\u0000b":2}'),
    ("whitespace", ' \r\n\t{ } \t'),
    ("empty-containers", '[[],{},[{}],{"a":[]}]'),
    ("duplicates", r'{"a":1,"a":2}'),
    ("duplicates-nested", r'{"a":{"b":1,"b":{"c":1}},"c":[{"d":1,"d":1}]}'),
    ("deep-257", "[" * 257 + "]" * 257),  # the root and 256 levels below it pass
    ("deep-258", "[" * 258 + "]" * 258),
    ("deep-object", '{"a":' * 100 + "1" + "}" * 100),
    # invalid
    ("bad-empty", ""),
    ("bad-ws-only", " \n"),
    ("bad-truncated", r'{"a":'),
    ("bad-trailing", r'{"a":1}x'),
    ("bad-two-values", "1 2"),
    ("bad-trailing-comma", "[1,]"),
    ("bad-leading-zero", "012"),
    ("bad-plus", "+1"),
    ("bad-dot", "1."),
    ("bad-exp", "1e"),
    ("bad-hex", "0x10"),
    ("bad-nan", "NaN"),
    ("bad-single-quote", "'a'"),
    ("bad-unquoted-key", "{a:1}"),
    ("bad-escape", r'"\x"'),
    ("bad-u-escape", r'"\u12G4"'),
    ("bad-surrogate-lone", r'"\ud800"'),
    ("bad-surrogate-low", r'"\udc00\ud800"'),
    ("bad-control", b'"a\x01"'),
    ("bad-utf8-overlong", b'"\xc0\xaf"'),
    ("bad-utf8-surrogate", b'"\xed\xa0\x80"'),
    ("bad-utf8-too-big", b'"\xf4\x90\x80\x80"'),
    ("bad-utf8-truncated", b'"\xe2\x84"'),
    ("bad-bom", b'\xef\xbb\xbf{}'),
    ("bad-literal", "nul"),
    ("bad-unterminated", '"abc'),
    ("bad-colon", '{"a" 1}'),
]

# ---- dictionaries ----

JSON_TOKENS = [
    "{", "}", "[", "]", ":", ",", '"', '""', "{}", "[]", '":', '","', '":"',
    "\\", '\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
    "\\u", "\\u0000", "\\u001f", "\\u00e9", "\\u212a", "\\ud83d\\ude00", "\\ud800", "\\udc00",
    b"\xc3\xa9", b"\xe2\x84\xaa", b"\xf0\x9f\x98\x80", b"\xed\xa0\x80", b"\xc0\xaf",
    b"\xf4\x90\x80\x80",
    "true", "false", "null", "0", "-0", "-0.0", "1e400", "-1e-400", "1E+2", "0.5", "-0.5e-10",
    "12345678901234567890", "1.7976931348623157e308", "4.9e-324",
    " ", "\t", "\n", "\r",
]
OPERATORS = ["prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric",
             "exists", "cidr", "$or"]
NUMERIC_OPS = ["=", "<", "<=", ">", ">="]
CIDRS = ["10.0.0.0/8", "192.168.1.1/32", "0.0.0.0/0", "2001:db8::/32", "::ffff:0:0/96", "::/0",
         "10.0.0.0/33"]
# JSON string bodies (escapes as written in JSON)
FIELDS = ["source", "detail", "detail-type", "state", "s", "n", "m", "v", "w", "t", "q", "z", "ip",
          "a", "b", "c", "d", "e", "x", "y", "arr", "id", "name", "tags", "k", "items", "sku", "qty",
          'k\\"ey', "uni\\u00e9"]
VALUES = ["aws.ec2", "aws.s3", "running", "stopped", "abc", "abyz", "ABC", "exact", "maybe", "or1",
          "deep", "deep-or", "one", "A-1", "10.1.2.3", "10.0.0.1", "192.168.1.1", "2001:db8::1",
          "::ffff:10.0.0.1", "\\u00c9cole \\u03a3", "stra\\u00dfe", "\\u212aelvin", "a*b", "*x*",
          "\\\\*", "x*y"]


def as_bytes(s):
    return s if isinstance(s, bytes) else s.encode("utf-8")


def dict_entry(tok):
    """A libFuzzer dictionary line: the token in double quotes, \\, " and odd bytes escaped."""
    out = []
    for b in as_bytes(tok):
        c = chr(b)
        if c in '\\"':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append("\\x%02x" % b)
    return '"' + "".join(out) + '"'


def write_dict(name, comment, tokens):
    seen, lines = set(), []
    for t in tokens:
        e = dict_entry(t)
        if e not in seen:
            seen.add(e)
            lines.append(e)
    with open(os.path.join(HERE, name), "w") as f:
        f.write("".join("# " + c + "\n" for c in comment) + "\n".join(lines) + "\n")


def quoted(body):
    return '"' + body + '"'


def write_corpus(target, hand, conf):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith("hand-") or f.startswith("conf-"):
            os.remove(os.path.join(d, f))
    for name, data in hand:
        with open(os.path.join(d, "hand-" + name), "wb") as f:
            f.write(as_bytes(data))
    for data in conf:
        h = hashlib.sha1(data).hexdigest()[:12]
        with open(os.path.join(d, "conf-" + h), "wb") as f:
            f.write(data)
    return len(hand) + len(conf)


def conformance(field, limit):
    """Distinct compact `field` values of the conformance cases, varied: one per set of ops first."""
    cases = [json.loads(l) for l in open(CASES, encoding="utf-8") if l.strip()]
    by_ops, rest, seen = [], [], set()
    ops_seen = set()
    for c in cases:
        data = json.dumps(c[field], separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if data in seen or len(data) > 400:
            continue
        seen.add(data)
        key = tuple(sorted(c.get("ops", []))) + tuple(sorted(c.get("event_features", [])))
        (rest if key in ops_seen else by_ops).append(data)
        ops_seen.add(key)
    return (by_ops + rest)[:limit]


def main():
    n = write_corpus("pattern", PATTERNS, conformance("pattern", 40))
    n += write_corpus("flatten", EVENTS, conformance("event", 30))
    n += write_corpus("json", JSONS + [("pattern-" + k, v) for k, v in PATTERNS[::4]] +
                      [("event-" + k, v) for k, v in EVENTS[::4]], [])
    write_dict("json.dict", ["fuzz_json: JSON tokens, escapes, UTF-8 edge cases, numbers."],
               JSON_TOKENS)
    write_dict("flatten.dict",
               ["fuzz_flatten: JSON tokens, and the field names and values that the fixed",
                "patterns of fuzz_flatten.c test (as keys and as string values)."],
               JSON_TOKENS + [quoted(f) + ":" for f in FIELDS] + [quoted(v) for v in VALUES])
    write_dict("pattern.dict",
               ["fuzz_pattern: JSON tokens, operator names and operands, and the field names",
                "and values of the fixed events."],
               JSON_TOKENS + [quoted(o) for o in OPERATORS] +
               ['{"%s":' % o for o in OPERATORS] + [quoted(o) for o in NUMERIC_OPS] +
               [quoted(c) for c in CIDRS] + [quoted(f) for f in FIELDS] +
               [quoted(v) for v in VALUES] +
               ['[{"exists":false}]', '[{"exists":true}]', '{"equals-ignore-case":'])
    print("wrote %d seeds and 3 dictionaries" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
