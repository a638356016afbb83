"""The course tooling behind the ``rnnlab`` console script, apart from the teaching library.

- ``rnnlab.tooling.outline``: reads and validates book.yml, the course outline; nothing in the
  tooling circles back to the command line;
- ``rnnlab.tooling.notebooks``: re-executes a notebook on a fresh kernel and stores its outputs;
- ``rnnlab.tooling.book``, ``slides``, ``student``, ``doctor``: the website, the reveal.js decks,
  the student copies and the environment check;
- ``rnnlab.tooling.cli``: the ``rnnlab`` command; it parses arguments and dispatches, nothing more.

Imports run one way: the tooling uses the teaching library (``rnnlab.checks`` for the hints page),
the library never imports the tooling, and ``import rnnlab`` loads none of it.
"""

import sys

# nbformat imports jsonschema, whose format checkers import rfc3987_syntax when it is installed
# (jupyter-events asks for jsonschema[format-nongpl]); that module compiles some thirty Earley
# parsers at import, 1 to 5 s of every `rnnlab` command on the 2-core machine
# (python-jsonschema/jsonschema#1428). No notebook schema uses the "iri" formats it checks, so
# the tooling's processes go without it: jsonschema skips a checker whose module is missing.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
