"""Readmit's adjustments to Django's locale formats (settings.FORMAT_MODULE_PATH).

Only what differs from Django's own formats is written here; every other format of a
language comes from Django (django/conf/locale/<language>/formats.py).
"""
