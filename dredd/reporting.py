"""What both Dredd hook files share: a hook that raises fails its transaction at once, with the traceback."""

import functools
import sys
import traceback


def reported(hook):
    """A hook that raises fails its transaction at once, with the traceback, instead of timing out."""

    @functools.wraps(hook)
    def wrapper(transaction):
        try:
            hook(transaction)
        except Exception:
            text = traceback.format_exc()
            sys.stderr.write(text)
            transaction["fail"] = f"hook {hook.__name__} failed: {text.splitlines()[-1]}"

    return wrapper
