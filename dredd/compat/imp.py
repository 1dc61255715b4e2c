"""``imp.load_source`` for dredd-hooks 0.2.0, which imports ``imp`` (removed in Python 3.12).

Only Dredd's hooks handler sees this directory (bin/dredd puts it on its PYTHONPATH); the server and the
tests never import it.
"""

import importlib.util
import sys


def load_source(name, pathname):
    spec = importlib.util.spec_from_file_location(name, pathname)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
