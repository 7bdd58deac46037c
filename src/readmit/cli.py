"""The `readmit` operator command: Django's management commands under one name.

Configuration errors (a missing production secret, a bad DATABASE_URL) are printed as one
plain sentence on stderr with exit status 2, never as a traceback.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readmit.config.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"readmit: configuration error: {exc}\n")
        raise SystemExit(2) from None
    from django.core.management import execute_from_command_line

    execute_from_command_line(["readmit", *args])


if __name__ == "__main__":
    main()
