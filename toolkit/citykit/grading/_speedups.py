"""Make nbgrader cheaper to call many times in one process (same results, less CPU).

nbgrader was written for one command per batch. ``citykit grade`` calls it once per student in
long-lived worker processes, where two costs repeat needlessly:

* every metadata check re-validates nbgrader's JSON schema itself before validating a cell
  (``jsonschema.validate`` checks the schema on every call): the checked validator is cached;
* every ``Gradebook`` opens a new SQLAlchemy engine with an empty statement cache, so every
  query is compiled again: engines of the same kind share one statement cache.

Both are applied by :func:`apply` and change no result.
"""

from __future__ import annotations

__all__ = ["apply", "skip_slow_optional_imports"]


def skip_slow_optional_imports() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` (seconds of grammar building).

    That optional package only adds checks of the ``iri`` string formats, which notebook and
    gradebook validation never use. Only effective before jsonschema is first imported, so
    ``citykit grade`` calls it first thing; other commands are not affected.
    """
    import sys

    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


_APPLIED = {"done": False}


class _CachedJsonSchema:
    """Stand-in for the ``jsonschema`` module that caches validators per schema object."""

    def __init__(self, real):
        self._real = real
        self._validators: dict = {}

    def validate(self, instance, schema, *args, **kwargs):
        """Validate like ``jsonschema.validate``, checking each schema only once."""
        if args or kwargs:
            return self._real.validate(instance, schema, *args, **kwargs)
        entry = self._validators.get(id(schema))
        if entry is None or entry[0] is not schema:
            cls = self._real.validators.validator_for(schema)
            cls.check_schema(schema)
            entry = (schema, cls(schema))
            self._validators[id(schema)] = entry
        error = self._real.exceptions.best_match(entry[1].iter_errors(instance))
        if error is not None:
            raise error
        return None

    def __getattr__(self, name):
        return getattr(self._real, name)


def apply() -> None:
    """Install both speed-ups into the already-imported nbgrader (idempotent)."""
    if _APPLIED["done"]:
        return
    import jsonschema
    from nbgrader import api
    from nbgrader.nbgraderformat import common

    if common.jsonschema is jsonschema:
        common.jsonschema = _CachedJsonSchema(jsonschema)

    real_create_engine = api.create_engine
    shared: dict = {}

    def create_engine(url, *args, **kwargs):
        engine = real_create_engine(url, *args, **kwargs)
        cache = getattr(engine, "_compiled_cache", None)
        if cache is not None:
            engine._compiled_cache = shared.setdefault(engine.dialect.name, cache)
        return engine

    api.create_engine = create_engine
    _APPLIED["done"] = True
