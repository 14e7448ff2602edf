#!/usr/bin/env python3
"""Writes N generated patterns (a JSON array) over the fields of the CL2 EXACT and PREFIX
sets: half exact matches of properties.MAPBLKLOT, half prefixes of properties.STREET.
Values follow the synthetic citylots generator's shapes, so some of them match. Seeded: the
same N gives the same file.

usage: gen_patterns.py N OUT.json
"""
import json
import random
import string
import sys

n = int(sys.argv[1])
out = sys.argv[2]
rnd = random.Random(20261126)
patterns = []
seen = set()
while len(patterns) < n:
    if len(patterns) % 2 == 0:
        # a MAPBLKLOT: 4-digit block (sometimes a letter at the end) + 3-digit lot
        block = "%04d" % rnd.randint(1, 7600)
        if rnd.random() < 0.02:
            block = block[:3] + rnd.choice("ABCDEFGHJ")
        value = block + "%03d" % rnd.randint(1, 250)
        key = ("exact", value)
        pattern = {"properties": {"MAPBLKLOT": [value]}}
    else:
        length = rnd.choice([2, 3, 3, 4, 4, 5])
        value = "".join(rnd.choice(string.ascii_uppercase) for _ in range(length))
        key = ("prefix", value)
        pattern = {"properties": {"STREET": [{"prefix": value}]}}
    if key in seen:
        continue
    seen.add(key)
    patterns.append(pattern)
with open(out, "w") as f:
    json.dump(patterns, f)
