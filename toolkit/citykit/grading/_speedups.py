"""Make nbgrader cheaper to call many times in one process (same results, less CPU).

nbgrader was written for one command per batch. ``citykit grade`` calls it once per student in
long-lived worker processes, where two costs repeat needlessly:

* every metadata check re-validates nbgrader's JSON schema itself before validating a cell
  (``jsonschema.validate`` checks the schema on every call): the checked validator is cached;
* every ``Gradebook`` opens a new SQLAlchemy engine with an empty statement cache, so every
  query is compiled again: engines of the same kind share one statement cache.

Both are applied by :func:`apply` and change no result. :mod:`citykit.grading.gradebook` also
replaces ``nbgrader.api.get_alembic_version``. :func:`patched_internals` lists every nbgrader
internal these patches rely on, and :func:`internals_problems` says which of them moved or
changed in the installed nbgrader (a test runs it; nbgrader is pinned to the tested minor series).
"""

from __future__ import annotations

__all__ = ["apply", "internals_problems", "patched_internals", "skip_slow_optional_imports"]


def skip_slow_optional_imports() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` (seconds of grammar building).

    That optional package only adds checks of the ``iri`` string formats, which notebook and
    gradebook validation never use. Only effective before jsonschema is first imported, so
    ``citykit grade`` calls it first thing, and each kernel zygote before it imports the
    assignment's libraries (:mod:`citykit.grading.zygote`); other commands are not affected.
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


def patched_internals() -> tuple:
    """The nbgrader internals patched by ``citykit grade``, as ``(module, name, must hold)``.

    Each entry names a module attribute that is replaced and what must stay true of nbgrader
    for the replacement to take effect: a call's text in the function that uses the attribute,
    or the signature of the replaced function.
    """
    return (
        # _speedups.apply: the cached validator stands in for the module nbgrader validates with
        (
            "nbgrader.nbgraderformat.common",
            "jsonschema",
            ("BaseMetadataValidator.validate_cell", "jsonschema.validate("),
        ),
        # _speedups.apply: engines share one statement cache
        ("nbgrader.api", "create_engine", ("Gradebook.__init__", "create_engine(")),
        # gradebook.use_fast_schema_version: the schema version is read in-process
        ("nbgrader.api", "get_alembic_version", ("Gradebook.__init__", "get_alembic_version()")),
    )


def internals_problems(modules=None) -> list[str]:
    """What moved or changed among :func:`patched_internals` (empty when all is as tested).

    Parameters
    ----------
    modules : dict, optional
        Module name to module object (default: import the installed nbgrader's).

    Returns
    -------
    list of str
        One sentence per problem, naming the internal and what was found.

    Examples
    --------
    >>> internals_problems({"nbgrader.api": object(), "nbgrader.nbgraderformat.common": object()})[0]
    'nbgrader.nbgraderformat.common.jsonschema is gone'
    """
    import importlib
    import inspect

    problems = []
    for module_name, name, (user, call) in patched_internals():
        module = (modules or {}).get(module_name) or importlib.import_module(module_name)
        if not hasattr(module, name):
            problems.append(f"{module_name}.{name} is gone")
            continue
        target = module
        for part in user.split("."):
            target = getattr(target, part, None)
        if target is None:
            problems.append(f"{module_name}.{user} (which uses {name}) is gone")
            continue
        try:
            source = inspect.getsource(getattr(target, "__wrapped__", target))
        except (OSError, TypeError):
            problems.append(f"the source of {module_name}.{user} cannot be read")
            continue
        if call not in source:
            problems.append(f"{module_name}.{user} no longer calls {call}...)")
    api = (modules or {}).get("nbgrader.api")
    if api is None:
        api = importlib.import_module("nbgrader.api")
    version = getattr(api, "get_alembic_version", None)
    if version is not None and not getattr(version, "_citykit", False):
        if inspect.signature(version).parameters:
            problems.append(
                f"nbgrader.api.get_alembic_version takes arguments now: {inspect.signature(version)}"
            )
    return problems
