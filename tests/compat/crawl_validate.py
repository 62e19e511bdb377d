#!/usr/bin/python3
"""Crawls a running ll2d: from a few lists it follows every `url` and `next`
in the JSON bodies (and the links of some `format=api` pages), up to a bound,
and requires each to answer 200 and to match LL2's OpenAPI schema for its
path: every object has exactly its schema's keys in schema order, and every
non-null value has the schema's type, recursively (python3-jsonschema).

    crawl_validate.py --base http://127.0.0.1:8000 --openapi FILE [--max N] [START...]

Nullability is not checked: LL2's document under-declares it (LL2 itself sends
null where the schema says it cannot), and a copy serves what LL2 sent.
Exit status 1 on any dead link or schema violation.
"""
import argparse
import collections
import html.parser
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

import jsonschema

START = ["/2.3.0/docking_events/", "/2.3.0/launches/upcoming/",
         "/2.3.0/space_stations/?mode=detailed", "/2.3.0/agencies/"]


def relax(node):
    """OpenAPI 3.0 schema -> JSON Schema where null is allowed everywhere."""
    if isinstance(node, list):
        return [relax(x) for x in node]
    if not isinstance(node, dict):
        return node
    if "oneOf" in node and "discriminator" in node:
        # The mode's schema, as the discriminator picks it: without `required`
        # a value would match every mode's schema, and oneOf none.
        name = node["discriminator"]["propertyName"]
        return {"anyOf": [{"allOf": [{"properties": {name: {"enum": [value]}}, "required": [name]},
                                     relax({"$ref": ref})]}
                          for value, ref in node["discriminator"]["mapping"].items()]
                + [{"type": "null"}]}
    out = {k: ({p: relax(s) for p, s in v.items()} if k == "properties" else relax(v))
           for k, v in node.items()
           if k not in ("nullable", "readOnly", "writeOnly", "discriminator", "example",
                        "required", "maxLength", "pattern", "format", "minimum", "maximum")}
    if "$ref" in out:
        out = {"$ref": out["$ref"]}
    return {"anyOf": [out, {"type": "null"}]}


# Paths LL2's document declares an array of one object where LL2 answers the
# object (docs/ll2-behaviour.md, "Differences from LL2").
ANSWERED_AS_ITEM = {"/2.3.0/dashboard/starship/"}


class Schemas:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = json.load(f)
        self.components = self.doc["components"]["schemas"]
        relaxed = {name: relax(s) for name, s in self.components.items()}
        self.root = {"components": {"schemas": relaxed}}
        # Path templates as regular expressions, most specific first.
        self.routes = []
        for template, item in self.doc["paths"].items():
            schema = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            if template in ANSWERED_AS_ITEM:
                schema = schema["items"]
            pattern = "^" + re.escape(template).replace(re.escape("{id}"), "[^/]+") + "$"
            self.routes.append((re.compile(pattern), schema, template))
        # Fixed paths before {id} ones: launches/upcoming/ is no launch id.
        self.routes.sort(key=lambda r: "[^/]+" in r[0].pattern)

    def for_path(self, path):
        for pattern, schema, _ in self.routes:
            if pattern.match(path):
                return schema
        return None

    def template_for(self, path):
        for pattern, _, template in self.routes:
            if pattern.match(path):
                return template
        return path

    def validate(self, value, schema):
        resolver = jsonschema.RefResolver.from_schema(self.root)
        validator = jsonschema.Draft4Validator(relax(schema), resolver=resolver)
        # Every schema allows null and each mode is a branch, so an error is
        # an anyOf's: name the deepest of its branches' own errors, not
        # "is not null" or "is another mode" (the value that is wrong).
        def leaves(e):
            if not e.context:
                return [e]
            return [x for c in e.context for x in leaves(c)]

        def relevant(e):
            return e.validator != "enum" and e.validator_value != "null"

        errors = []
        for top in validator.iter_errors(value):
            found = [x for x in leaves(top) if relevant(x)] or [top]
            e = max(found, key=lambda x: len(x.absolute_path))
            errors.append(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}")
        return errors

    def key_order(self, value, schema, where, errors):
        """Exactly the schema's properties, in order, at every level."""
        if value is None:
            return
        if "$ref" in schema:
            schema = self.components[schema["$ref"].split("/")[-1]]
        if "allOf" in schema:
            return self.key_order(value, schema["allOf"][0], where, errors)
        if "oneOf" in schema:
            mapping = schema["discriminator"]["mapping"]
            mode = value.get("response_mode") if isinstance(value, dict) else None
            if mode not in mapping:
                errors.append(f"{where}: response_mode {mode!r} is none of {list(mapping)}")
                return
            return self.key_order(value, {"$ref": mapping[mode]}, where, errors)
        if schema.get("type") == "array" and isinstance(value, list):
            for i, item in enumerate(value):
                self.key_order(item, schema["items"], f"{where}[{i}]", errors)
            return
        props = schema.get("properties")
        if props is None or not isinstance(value, dict):
            return
        if list(value) != list(props):
            errors.append(f"{where}: keys {list(value)} != schema {list(props)}")
            return
        for k, p in props.items():
            self.key_order(value[k], p, f"{where}.{k}", errors)


class Links(html.parser.HTMLParser):
    """The links of a page's rendered body (<code id="body">): its data's
    URLs. (The docs' example links are LL2's examples, not this data's.)"""

    def __init__(self):
        super().__init__()
        self.hrefs = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "code" and ("id", "body") in attrs:
            self.depth = 1
        elif self.depth and tag == "code":
            self.depth += 1
        if self.depth and tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]

    def handle_endtag(self, tag):
        if self.depth and tag == "code":
            self.depth -= 1


def fetch(url):
    # As DRF negotiates, format=api still needs an Accept that takes HTML.
    accept = "text/html,*/*;q=0.8" if "format=api" in url else "application/json"
    req = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def urls_in(value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("url", "next") and isinstance(v, str):
                out.append(v)
            else:
                urls_in(v, out)
    elif isinstance(value, list):
        for v in value:
            urls_in(v, out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--openapi", required=True)
    ap.add_argument("--max", type=int, default=1500)
    ap.add_argument("--pages", type=int, default=20, help="format=api pages whose links are followed")
    ap.add_argument("--all-routes", action="store_true",
                    help="also start at every route the API root lists, in each of its modes")
    ap.add_argument("--root", default="/2.3.0/", help="the API version's root (--all-routes)")
    ap.add_argument("start", nargs="*")
    args = ap.parse_args()
    schemas = Schemas(args.openapi)
    base = args.base.rstrip("/")
    starts = [base + s for s in (args.start or START)]
    if args.all_routes:
        status, body = fetch(base + args.root)
        for route, url in json.loads(body).items():
            params = schemas.doc["paths"].get(f"{args.root}{route}/", {}).get("get", {})
            modes = [p["schema"]["enum"] for p in params.get("parameters", []) if p["name"] == "mode"]
            starts.append(url)
            starts += [f"{url}?mode={m}" for m in (modes[0] if modes else [])]
    queue = collections.deque(dict.fromkeys(starts))
    seen = set(queue)
    failures = []
    visited = 0
    pages = 0
    per_route = collections.Counter()
    outcome = {}  # route template -> its first schema error (None: all matched)
    while queue and visited < args.max:
        url = queue.popleft()
        visited += 1
        status, body = fetch(url)
        path = urllib.parse.urlsplit(url).path
        if status != 200:
            failures.append(f"{url}: status {status}: {body[:200]}")
            continue
        schema = schemas.for_path(path)
        if schema is None:
            failures.append(f"{url}: no LL2 path matches")
            continue
        doc = json.loads(body)
        errors = schemas.validate(doc, schema)
        schemas.key_order(doc, schema, "$", errors)
        template = schemas.template_for(path)
        outcome.setdefault(template, None)
        if errors and outcome[template] is None:
            outcome[template] = f"{url}: {errors[0]}"
        failures += [f"{url}: {e}" for e in errors[:5]]
        per_route[re.sub(r"/[^/]+/$", "/{id}/", path) if path.count("/") > 3 else path] += 1
        found = []
        urls_in(doc, found)
        if pages < args.pages:
            pages += 1
            sep = "&" if "?" in url else "?"
            status, page = fetch(url + sep + "format=api")
            if status != 200:
                failures.append(f"{url}: format=api status {status}")
            parser = Links()
            parser.feed(page)
            found += [urllib.parse.urljoin(url, h) for h in parser.hrefs]
        for link in found:
            if link.startswith(base) and "format=api" not in link and link not in seen:
                seen.add(link)
                queue.append(link)
            elif link.startswith(base) and link not in seen:
                # A page's own links stay in format=api: they must answer too.
                seen.add(link)
                status, _ = fetch(link)
                if status != 200:
                    failures.append(f"{link}: status {status}")
    for f in failures[:50]:
        print("FAIL", f)
    bad = sorted(t for t, e in outcome.items() if e is not None)
    print(f"route templates: {len(outcome) - len(bad)} matched, {len(bad)} did not: {' '.join(bad)}")
    print(f"crawled {visited} URLs ({len(seen)} seen) across {len(per_route)} route shapes; "
          f"{pages} format=api pages")
    print(f"{visited - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
