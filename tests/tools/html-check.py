#!/usr/bin/env python3
# Parse an HTML report the way a browser's tokenizer would (html.parser) and
# say what data could have turned into markup. Prints one line per problem
# and exits 1 if there is any; exit 0 and "ok" otherwise.
#   html-check.py FILE SCRIPTS   SCRIPTS: how many <script> elements the
#                                report itself has (zdbench writes one)
# Problems: more <script> elements than SCRIPTS, an element outside the
# report's own vocabulary, an on* event attribute, an attribute zdbench never
# writes, an href/src that is not plots/NAME.png or .svg with NAME from
# [A-Za-z0-9._-], no leading dot (plot_file_name).
import re
import sys
from html.parser import HTMLParser

TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3",
        "table", "tr", "th", "td", "p", "a", "img", "br", "ul", "li", "script"}
ATTRS = {"charset", "class", "href", "src", "alt"}
URL = re.compile(r"^plots/[A-Za-z0-9_-][A-Za-z0-9._-]*\.(png|svg)$")


class Check(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        if tag not in TAGS:
            self.problems.append("element <%s>" % tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append("event attribute %s on <%s>" % (name, tag))
            elif name not in ATTRS:
                self.problems.append("attribute %s on <%s>" % (name, tag))
            elif name in ("href", "src") and not URL.match(value or ""):
                self.problems.append("%s=%r on <%s>" % (name, value, tag))

    handle_startendtag = handle_starttag


def main():
    c = Check()
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        c.feed(f.read())
    c.close()
    if c.scripts > int(sys.argv[2]):
        c.problems.append("%d <script> elements, expected %s" % (c.scripts, sys.argv[2]))
    for p in c.problems:
        print(p)
    if not c.problems:
        print("ok")
    return 1 if c.problems else 0


sys.exit(main())
