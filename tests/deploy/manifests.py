#!/usr/bin/env python3
"""Checks of the Dockerfile, deploy/kubernetes/ and deploy/compose/ that run without a container
engine or a cluster (tests/deploy/check_manifests.sh runs this; docs/deployment.md lists them).

usage: manifests.py SIGNALBOX REPO_DIR

Prints one line per failed check ("FAIL what: why") and, last, "N passed, N failed".
Exits 1 when any check failed.
"""
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import yaml

SB, REPO = sys.argv[1], os.path.abspath(sys.argv[2])
DEPLOY = os.path.join(REPO, "deploy")
DEFAULT_RULES = "/etc/signalbox/rules"
passed = 0
failed = 0


def ok(cond, what, why=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what}{': ' + why if why else ''}", flush=True)
    return cond


def rel(path):
    return os.path.relpath(path, REPO)


def duration_s(text):
    """Seconds of a signalbox duration (500ms, 10s, 2m, 1h, 1m30s)."""
    total, pos = 0.0, 0
    for m in re.finditer(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text):
        if m.start() != pos:
            raise ValueError(text)
        total += float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise ValueError(text)
    return total


def duration_or_fail(text, what):
    """duration_s, or a failed check and 0 when text is not a duration."""
    try:
        return duration_s(text)
    except ValueError:
        ok(False, what, f"{text!r} is not a duration (500ms, 10s, 2m, 1h, 1m30s)")
        return 0.0


# ---- what the binary says about itself ----

help_text = subprocess.run([SB, "serve", "--help"], capture_output=True, text=True).stdout
SETTINGS = {}  # variable -> default text
for m in re.finditer(r"^\s+(SIGNALBOX_[A-Z0-9_]+), default (.*)$", help_text, re.M):
    SETTINGS[m.group(1)] = m.group(2).strip()
ok(len(SETTINGS) >= 10, "signalbox serve --help", f"found only {len(SETTINGS)} SIGNALBOX_ variables")
# the paths the router serves, from the help's first paragraph ("/metrics, /healthz, ...")
ADMIN_PATHS = set(re.findall(r"(/[a-z]+)\b", help_text.split("\n\n")[1] if "\n\n" in help_text else ""))
ok({"/healthz", "/readyz", "/metrics"} <= ADMIN_PATHS, "admin paths in --help", str(ADMIN_PATHS))


def is_k8s_service_link(name):
    # what Kubernetes defines for a Service named signalbox; the router ignores these (--help)
    return re.fullmatch(r"SIGNALBOX_(SERVICE_HOST|SERVICE_PORT(_\w+)?|PORT(_\w+)?)", name) is not None


# ---- 1. every YAML and JSON file under deploy/ parses ----

docs = {}  # path -> list of documents
for path in sorted(glob.glob(os.path.join(DEPLOY, "**", "*"), recursive=True)):
    if not os.path.isfile(path):
        continue
    try:
        if path.endswith((".yaml", ".yml")):
            with open(path) as f:
                docs[path] = [d for d in yaml.safe_load_all(f) if d is not None]
            ok(len(docs[path]) > 0, f"{rel(path)}", "no YAML document")
        elif path.endswith(".json"):
            with open(path) as f:
                docs[path] = [json.load(f)]
            ok(True, rel(path))
    except (yaml.YAMLError, json.JSONDecodeError) as e:
        ok(False, f"{rel(path)} does not parse", str(e).replace("\n", " "))
ok(any(p.endswith("compose.yaml") for p in docs), "deploy/compose/compose.yaml exists")
ok(len(glob.glob(os.path.join(DEPLOY, "kubernetes", "*", "*.yaml"))) >= 4, "deploy/kubernetes/ manifests exist")

# ---- 2. every SIGNALBOX_* variable named is a setting ----

named = [os.path.join(REPO, "Dockerfile"), os.path.join(REPO, "docs", "deployment.md")]
named += [p for p in glob.glob(os.path.join(DEPLOY, "**", "*"), recursive=True) if os.path.isfile(p)]
for path in named:
    if not os.path.exists(path):
        ok(False, rel(path), "missing")
        continue
    with open(path, errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            for name in re.findall(r"\bSIGNALBOX_[A-Z0-9_]*[A-Z0-9]\b", line):
                ok(name in SETTINGS or is_k8s_service_link(name), f"{rel(path)}:{lineno}: {name}",
                   "not a setting of `signalbox serve --help`")

# ---- the Dockerfile: stages, COPY sources, runtime packages ----

with open(os.path.join(REPO, "Dockerfile")) as f:
    dockerfile = f.read()
logical = re.sub(r"\\\n", " ", dockerfile)  # continuation lines joined
lines = [l.strip() for l in logical.splitlines() if l.strip() and not l.strip().startswith("#")]
stages, cur = [], None
for l in lines:
    if l.upper().startswith("FROM "):
        cur = {"from": l.split()[1], "lines": []}
        stages.append(cur)
    elif cur is not None:
        cur["lines"].append(l)
ok(len(stages) >= 2, "Dockerfile is multi-stage", f"{len(stages)} stage(s)")
ok(stages[-1]["from"] == "debian:12-slim", "Dockerfile runtime stage is debian:12-slim", stages[-1]["from"])


def apt_installs(stage):
    pkgs = []
    for l in stage["lines"]:
        for m in re.finditer(r"apt-get install ([^&;]*)", l):
            pkgs += [w for w in m.group(1).split() if not w.startswith("-")]
    return pkgs


def instr(stage, name):
    return [l[len(name) + 1:].strip() for l in stage["lines"] if l.upper().startswith(name + " ")]


runtime = stages[-1]
env_image = {}
for e in instr(runtime, "ENV"):
    for m in re.finditer(r"(\w+)=(\S+)", e):
        env_image[m.group(1)] = m.group(2)
ok(any(u.split(":")[0] not in ("0", "root") for u in instr(runtime, "USER")), "Dockerfile: non-root USER")
ok(instr(runtime, "STOPSIGNAL") == ["SIGTERM"], "Dockerfile: STOPSIGNAL SIGTERM")
ok(len(instr(runtime, "HEALTHCHECK")) == 1, "Dockerfile: one HEALTHCHECK")
ok(env_image.get("SIGNALBOX_RULES") == DEFAULT_RULES, f"Dockerfile: SIGNALBOX_RULES={DEFAULT_RULES}")
listen_port = env_image.get("SIGNALBOX_LISTEN", "").rsplit(":", 1)[-1]
ok(any(listen_port in e.split() for e in instr(runtime, "EXPOSE")), "Dockerfile: EXPOSE the listen port",
   f"SIGNALBOX_LISTEN port {listen_port!r}")


# .dockerignore: a COPY source must not be excluded from the build context
def ignored(path):
    patterns = []
    di = os.path.join(REPO, ".dockerignore")
    if os.path.exists(di):
        with open(di) as f:
            patterns = [p.strip().rstrip("/") for p in f if p.strip() and not p.startswith("#")]
    import fnmatch
    parts = path.split("/")
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        for p in patterns:
            if fnmatch.fnmatch(prefix, p) or (p.startswith("**/") and fnmatch.fnmatch(parts[i - 1], p[3:])):
                return p
    return None


copied = {}  # destination in the image -> source in the repo
for stage in stages:
    for c in instr(stage, "COPY"):
        words = c.split()
        if any(w.startswith("--from") for w in words):
            continue
        srcs, dest = [w for w in words[:-1] if not w.startswith("--")], words[-1]
        for s in srcs:
            s = s.rstrip("/")
            ok(os.path.exists(os.path.join(REPO, s)), f"Dockerfile COPY {s}", "no such path in the repository")
            pat = ignored(s)
            ok(pat is None, f"Dockerfile COPY {s}", f"excluded from the build context by .dockerignore ({pat})")
            copied[dest] = s
hc = instr(runtime, "HEALTHCHECK")[0] if instr(runtime, "HEALTHCHECK") else ""
hc_bin = re.search(r'"(/[^"]+)"', hc)
ok(hc_bin and hc_bin.group(1) in copied, "HEALTHCHECK runs a file the Dockerfile copies", hc)
if hc_bin and hc_bin.group(1) in copied:
    HEALTHCHECK = os.path.join(REPO, copied[hc_bin.group(1)])
    ok(os.access(HEALTHCHECK, os.X_OK), f"{copied[hc_bin.group(1)]} is executable")
else:
    HEALTHCHECK = None

# build stage: the libraries of scripts/install-deps.sh
with open(os.path.join(REPO, "scripts", "install-deps.sh")) as f:
    deps = f.read()
m = re.search(r"# libraries\n(.*?)\n\s*#", deps, re.S)
libs_dev = m.group(1).split() if m else []
ok(libs_dev, "scripts/install-deps.sh lists its libraries under '# libraries'")
build_pkgs = apt_installs(stages[0])
for p in libs_dev:
    ok(p in build_pkgs, f"Dockerfile build stage installs {p}", "listed in scripts/install-deps.sh")


# ---- 4. the runtime packages are the libraries the binary links ----

def sh(*args):
    return subprocess.run(list(args), capture_output=True, text=True)


def package_of(path):
    real = os.path.realpath(path)
    cands = {path, real}
    for p in list(cands):
        cands.add(p[4:] if p.startswith("/usr/") else "/usr" + p)
    for c in cands:
        r = sh("dpkg", "-S", c)
        if r.returncode == 0:
            return r.stdout.split(":")[0].strip()
    return None


def depends_closure(pkgs):
    """The packages apt installs with pkgs (themselves and their dependencies, recursively)."""
    if not pkgs:
        return set()
    out = sh("apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
             "--no-breaks", "--no-replaces", "--no-enhances", *sorted(pkgs)).stdout
    return {l.strip() for l in out.splitlines() if l and not l.startswith((" ", "<"))}


# What every Debian 12 image has, slim ones too: the Essential and 'required' packages and
# their dependencies (libc6 among them).
base_roots = [l.split()[0] for l in sh("dpkg-query", "-W", "-f=${Package} ${Essential} ${Priority}\n").stdout.splitlines()
              if l.split()[1:2] == ["yes"] or l.endswith(" required")]
BASE = depends_closure(base_roots)
ok("libc6" in BASE, "the Debian base: libc6 is in it", f"{len(BASE)} packages")




runtime_pkgs = apt_installs(runtime)
ok(runtime_pkgs, "Dockerfile runtime stage installs packages")
for p in runtime_pkgs:
    r = sh("apt-cache", "show", "--no-all-versions", p)
    ok(r.returncode == 0 and f"Package: {p}" in r.stdout, f"runtime package {p} exists in Debian's lists")

needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", sh("readelf", "-d", SB).stdout)
ok(needed, "readelf -d: the binary's NEEDED libraries")
resolved = dict(re.findall(r"^\s*(\S+) => (/\S+)", sh("ldd", SB).stdout, re.M))
required = {}  # package -> sonames
for so in needed:
    path = resolved.get(so)
    pkg = package_of(path) if path else None
    if ok(pkg, f"NEEDED {so}", f"no package owns it (ldd: {path})"):
        required.setdefault(pkg, []).append(so)
for pkg, sos in sorted(required.items()):
    ok(pkg in BASE or pkg in runtime_pkgs, f"runtime stage installs {pkg}",
       f"the binary links {', '.join(sos)}")
EXTRAS = {"ca-certificates": "certificates for HTTPS targets and TLS to Kafka"}
for p in runtime_pkgs:
    ok(p in required or p in EXTRAS, f"runtime package {p}", "the binary links no library of it")
# and everything ldd loads comes with those packages (their dependencies) or the base image
closure = depends_closure(runtime_pkgs)
for so, path in sorted(resolved.items()):
    pkg = package_of(path)
    ok(pkg and (pkg in closure or pkg in BASE), f"{so} ({pkg}) reaches the runtime image",
       "not a dependency of the runtime packages")

# ---- 3. paths, kubernetes and compose ----

tmp = tempfile.mkdtemp(prefix="sb-deploy-")
containers = []  # (where, env, rules_dir) to start below


def check_rules_configmap(where, data, tag):
    d = os.path.join(tmp, tag)
    os.makedirs(d, exist_ok=True)
    for k, v in data.items():
        with open(os.path.join(d, k), "w") as f:
            f.write(v)
    r = sh(SB, "check", d)
    ok(r.returncode == 0, f"{where}: the rules are valid (signalbox check)", (r.stdout + r.stderr).strip())
    return d


def listener(value):
    host, _, port = value.rpartition(":")
    return host.strip("[]"), port


for kdir in sorted(glob.glob(os.path.join(DEPLOY, "kubernetes", "*"))):
    if not os.path.isdir(kdir):
        continue
    objs = []
    for path in sorted(glob.glob(os.path.join(kdir, "*.yaml"))):
        for d in docs.get(path, []):
            objs.append((path, d))
    for path, d in objs:
        where = f"{rel(path)} {d.get('kind')}/{(d.get('metadata') or {}).get('name')}"
        if d.get("kind") == "Kustomization":
            for r in d.get("resources", []):
                ok(os.path.exists(os.path.join(kdir, r)), f"{where}: resource {r}", "no such file")
            continue
        ok(d.get("apiVersion") and d.get("kind") and (d.get("metadata") or {}).get("name"),
           f"{rel(path)}: apiVersion, kind and metadata.name")
    configmaps = {d["metadata"]["name"]: d for _, d in objs if d.get("kind") == "ConfigMap"}
    deployments = [(p, d) for p, d in objs if d.get("kind") == "Deployment"]
    for path, d in objs:
        if d.get("kind") != "Service":
            continue
        sel = d["spec"].get("selector", {})
        match = [t for _, t in deployments
                 if sel.items() <= t["spec"]["template"]["metadata"].get("labels", {}).items()]
        ok(match, f"{rel(path)}: Service selector matches a Deployment here")
        for port in d["spec"].get("ports", []):
            names = [p.get("name") for t in match for c in t["spec"]["template"]["spec"]["containers"]
                     for p in c.get("ports", [])]
            nums = [p.get("containerPort") for t in match for c in t["spec"]["template"]["spec"]["containers"]
                    for p in c.get("ports", [])]
            tp = port.get("targetPort", port.get("port"))
            ok(tp in names or tp in nums, f"{rel(path)}: targetPort {tp} is a container port")
    for path, d in deployments:
        where = f"{rel(path)} Deployment/{d['metadata']['name']}"
        tmpl = d["spec"]["template"]
        ok(d["spec"]["selector"]["matchLabels"].items() <= tmpl["metadata"].get("labels", {}).items(),
           f"{where}: selector matches the pod labels")
        pod = tmpl["spec"]
        ann = tmpl["metadata"].get("annotations", {})
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        sbs = [c for c in pod["containers"] if c.get("image", "").split(":")[0].endswith("signalbox")]
        ok(len(sbs) == 1, f"{where}: one signalbox container")
        for c in sbs:
            cw = f"{where} container {c['name']}"
            env = {e["name"]: str(e["value"]) for e in c.get("env", []) if "value" in e}
            ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
            admin = env.get("SIGNALBOX_ADMIN_LISTEN") or env.get("SIGNALBOX_LISTEN", SETTINGS.get("SIGNALBOX_LISTEN", ""))
            ahost, aport = listener(admin)
            ok(ahost not in ("127.0.0.1", "localhost", "::1"), f"{cw}: probes and metrics reach the admin listener",
               f"{admin} is loopback only")
            for probe, want in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                hg = (c.get(probe) or {}).get("httpGet")
                if ok(hg, f"{cw}: {probe} httpGet"):
                    port = ports.get(hg["port"], hg["port"])
                    ok(hg["path"] == want and want in ADMIN_PATHS, f"{cw}: {probe} path", f"{hg['path']}, want {want}")
                    ok(str(port) == aport, f"{cw}: {probe} port", f"{port}, admin listener {admin}")
            ok(ann.get("prometheus.io/scrape") == "true" and ann.get("prometheus.io/path") in ADMIN_PATHS
               and ann.get("prometheus.io/path") == "/metrics" and ann.get("prometheus.io/port") == aport,
               f"{where}: Prometheus annotations scrape /metrics on {aport}", str(ann))
            res = c.get("resources", {})
            ok(res.get("requests") and res.get("limits", {}).get("memory"), f"{cw}: resource requests and limits")
            sc = {**pod.get("securityContext", {}), **c.get("securityContext", {})}
            ok(sc.get("runAsNonRoot") or sc.get("runAsUser", 0) != 0, f"{cw}: runs as non-root")
            rules_path = env.get("SIGNALBOX_RULES", DEFAULT_RULES)
            mounts = [m for m in c.get("volumeMounts", []) if m["mountPath"] == rules_path]
            rules_dir = None
            if ok(mounts, f"{cw}: a volume mounted at {rules_path}"):
                m = mounts[0]
                ok("subPath" not in m, f"{cw}: rules mounted without subPath", "a subPath mount never updates")
                v = volumes.get(m["name"], {})
                cm = (v.get("configMap") or {}).get("name")
                if ok(cm in configmaps, f"{cw}: the rules volume is a ConfigMap of {rel(kdir)}", str(v)):
                    rules_dir = check_rules_configmap(cw, configmaps[cm].get("data", {}), f"{os.path.basename(kdir)}-{cm}")
            drain = duration_or_fail(env.get("SIGNALBOX_DRAIN_TIMEOUT", SETTINGS["SIGNALBOX_DRAIN_TIMEOUT"]),
                                     f"{cw}: SIGNALBOX_DRAIN_TIMEOUT")
            pre = ((c.get("lifecycle") or {}).get("preStop") or {}).get("exec", {}).get("command", [])
            ok(pre[:1] == ["sleep"], f"{cw}: preStop sleeps before SIGTERM", str(pre))
            pre_s = float(pre[1]) if pre[:1] == ["sleep"] and len(pre) > 1 else 0
            grace = pod.get("terminationGracePeriodSeconds", 30)
            ok(grace > pre_s + drain, f"{where}: terminationGracePeriodSeconds {grace} > preStop {pre_s:g}s + drain {drain:g}s")
            containers.append((cw, env, rules_dir))
        for c in pod["containers"]:
            for m in c.get("volumeMounts", []):
                ok(m["name"] in volumes, f"{where} container {c['name']}: volume {m['name']} is defined")
    if "SIGNALBOX_KAFKA_GROUP" in json.dumps([d for _, d in deployments]):
        ok(True, f"{rel(kdir)}: a consumer group deployment")

compose_path = os.path.join(DEPLOY, "compose", "compose.yaml")
compose = (docs.get(compose_path) or [{}])[0]
cdir = os.path.dirname(compose_path)
services = compose.get("services", {})
for name in ("kafka", "redis", "signalbox"):
    ok(name in services, f"compose: service {name}")
ok(any("fauxqs" in str(s.get("image", "")) or "localstack" in str(s.get("image", "")) for s in services.values()),
   "compose: an SQS/SNS emulator")
for sname, s in services.items():
    for dep in (s.get("depends_on") or {}):
        ok(dep in services, f"compose {sname}: depends_on {dep}", "no such service")
    b = s.get("build")
    if b:
        ctx = os.path.normpath(os.path.join(cdir, b.get("context", ".") if isinstance(b, dict) else b))
        ok(os.path.isdir(ctx), f"compose {sname}: build context {rel(ctx)}")
        df = b.get("dockerfile", "Dockerfile") if isinstance(b, dict) else "Dockerfile"
        ok(os.path.isfile(os.path.join(ctx, df)), f"compose {sname}: dockerfile {df}")
    for v in s.get("volumes", []):
        src = v.split(":")[0] if isinstance(v, str) else v.get("source", "")
        if src.startswith((".", "/")):
            ok(os.path.exists(os.path.normpath(os.path.join(cdir, src))), f"compose {sname}: volume {src}",
               "no such path")
sbc = services.get("signalbox", {})
env = {k: str(v) for k, v in (sbc.get("environment") or {}).items()}
rules_path = env.get("SIGNALBOX_RULES", env_image.get("SIGNALBOX_RULES"))
rules_src = [v.split(":")[0] for v in sbc.get("volumes", []) if isinstance(v, str) and v.split(":")[1] == rules_path]
ok(rules_src, f"compose signalbox: a volume mounted at {rules_path}")
rules_dir = os.path.normpath(os.path.join(cdir, rules_src[0])) if rules_src else None
if rules_dir:
    ok(rules_dir == os.path.join(REPO, "rules"), "compose signalbox: the rules are the repository's rules/")
grace = duration_or_fail(str(sbc.get("stop_grace_period", "10s")), "compose signalbox: stop_grace_period")
drain = duration_or_fail(env.get("SIGNALBOX_DRAIN_TIMEOUT", SETTINGS.get("SIGNALBOX_DRAIN_TIMEOUT", "10s")),
                         "compose signalbox: SIGNALBOX_DRAIN_TIMEOUT")
ok(grace > drain, f"compose signalbox: stop_grace_period {grace:g}s > drain {drain:g}s")
containers.append(("compose signalbox", {**env_image, **env}, rules_dir))

# ---- the settings of each signalbox container start the router; the image's health check
# passes on it; SIGTERM ends it with 0 ----


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


for where, env, rules_dir in containers:
    if not rules_dir:
        continue
    run_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    run_env.update({k: v for k, v in env.items() if not k.startswith("AWS_")})
    run_env["SIGNALBOX_RULES"] = rules_dir
    for k in ("SIGNALBOX_LISTEN", "SIGNALBOX_ADMIN_LISTEN"):
        if k in run_env:  # the manifest's host, a free port of this machine
            host = listener(run_env[k])[0]
            run_env[k] = f"[{host}]:{free_port()}" if ":" in host else f"{host}:{free_port()}"
    # services of the manifests do not exist here: unreachable addresses, no DNS lookups
    run_env["SIGNALBOX_REDIS"] = "redis://127.0.0.1:1"
    if "SIGNALBOX_KAFKA_BROKERS" in run_env:
        run_env["SIGNALBOX_KAFKA_BROKERS"] = "127.0.0.1:1"
    log = open(os.path.join(tmp, "serve.log"), "w+")
    proc = subprocess.Popen([SB, "serve"], env=run_env, stdout=log, stderr=subprocess.STDOUT)
    healthy = False
    deadline = time.time() + 10
    while time.time() < deadline and proc.poll() is None and HEALTHCHECK:
        if subprocess.run([HEALTHCHECK], env=run_env, capture_output=True).returncode == 0:
            healthy = True
            break
        time.sleep(0.1)
    log.seek(0)
    ok(healthy, f"{where}: signalbox serve starts with these settings and the image's HEALTHCHECK passes",
       log.read()[-600:].strip())
    if proc.poll() is None:
        ready = subprocess.run([HEALTHCHECK, "/readyz"], env=run_env, capture_output=True).returncode
        ok(ready == 1, f"{where}: the health check fails on /readyz while Redis is down")
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=15)  # nothing is in flight: the drain ends at once
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = "timeout"
        ok(rc == 0, f"{where}: SIGTERM drains and exits 0", f"exit {rc}")
        ok(subprocess.run([HEALTHCHECK], env=run_env, capture_output=True).returncode == 1,
           f"{where}: the health check fails once the router has stopped")
    log.close()

shutil.rmtree(tmp, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
