"""One row per clean exit with its 0/1 outcome and the client's risk factors."""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit.contracting.hmis._rows import (
    _clean_rows,
    _of_types,
    _prepared,
    _window,
    _window_mask,
)
from citykit.errors import CityKitError, require_columns

__all__ = ["client_exits"]


def client_exits(
    data: pd.DataFrame,
    *,
    clients: pd.DataFrame | None = None,
    start: object = None,
    end: object = None,
    project_types: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """One row per clean exit, with a 0/1 ``exit_ph`` column and the client's risk factors.

    This is the table risk adjustment and pay-for-performance work on: each exit is a "client"
    whose outcome (exit to permanent housing or not) is known. Flagged rows are left out.

    Parameters
    ----------
    data : pandas.DataFrame
        Enrollment table (raw or prepared).
    clients : pandas.DataFrame, optional, keyword-only
        One row per ``client_id`` with risk factors; joined on ``client_id``. When it has
        ``monthly_income_usd``, a boolean ``has_income`` is added.
    start, end : date, optional, keyword-only
        Window of exit dates.
    project_types : tuple of str or None, keyword-only
        Keep only these project types (None: all).

    Returns
    -------
    pandas.DataFrame
        The prepared enrollment columns of each exit, ``exit_ph`` (0/1),
        ``excluded_exits`` (the same number on every row: how many exits in the same window
        and project types are left out of the table for a data-quality issue;
        :func:`data_quality_flags` counts them per provider) and the client columns. ``has_income`` is missing where
        the income is. With ``clients``, ``unmatched`` is 1 on an exit whose ``client_id`` has
        no row in ``clients`` (its client columns are missing), 0 otherwise.

    Raises
    ------
    CityKitError
        If ``clients`` has several rows for one ``client_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "enrollment_id": ["e1", "e2"], "client_id": ["a", "b"], "provider_id": ["P1", "P1"],
    ...     "project_type": ["ES", "ES"], "entry_date": ["2024-01-01", "2024-02-01"],
    ...     "exit_date": ["2024-01-11", "2024-03-01"], "destination": [410, 101]})
    >>> people = pd.DataFrame({"client_id": ["a", "b"], "veteran": [True, False]})
    >>> client_exits(raw, clients=people)[["client_id", "exit_ph", "veteran"]]
      client_id  exit_ph  veteran
    0         a        1     True
    1         b        0    False
    """
    prepared = _prepared(data)
    frame = prepared[prepared["exited"] & (prepared["dq_issue"] == "")]
    if project_types is not None:
        frame = frame[frame["project_type"].isin(list(project_types))]
    frame = _window(frame, "exit_date", start, end)
    frame = frame.assign(exit_ph=frame["permanent_exit"].fillna(False).astype(int))
    # exits left out for a data-quality issue: counted on every row, so that none is invisible
    # (a provider whose exits are all flagged has no row to carry them)
    set_aside = (
        ~_clean_rows(prepared)
        & prepared["exited"].to_numpy(dtype=bool)
        & _of_types(prepared, project_types)
        & _window_mask(prepared["exit_date"], start, end)
    )
    frame = frame.assign(excluded_exits=int(set_aside.sum()))
    if clients is not None:
        require_columns(clients, ["client_id"], argument="clients")
        if clients["client_id"].duplicated().any():
            raise CityKitError(
                "clients has several rows for the same client_id; keep one row per person "
                "(e.g. clients.drop_duplicates('client_id'))."
            )
        clash = [c for c in clients.columns if c in frame.columns and c != "client_id"]
        extra = clients.drop(columns=clash)
        if "monthly_income_usd" in extra and "has_income" not in extra:
            income = extra["monthly_income_usd"]
            numbers = pd.to_numeric(
                income.astype(object).where(income.notna(), None), errors="coerce"
            )
            unread = income.notna() & numbers.isna()
            if unread.any():
                raise CityKitError(
                    f"clients column 'monthly_income_usd' must hold amounts, but "
                    f"{int(unread.sum()):,} value(s) are not numbers (e.g. "
                    f"{income[unread].iloc[0]!r}). Convert it first, e.g. "
                    "pd.to_numeric(clients['monthly_income_usd'], errors='coerce')."
                )
            if np.isinf(numbers.to_numpy(dtype=float)).any():
                raise CityKitError(
                    "clients column 'monthly_income_usd' holds infinite values; fix them first."
                )
            has_income = numbers > 0
            if numbers.isna().any():  # an unknown income is neither income nor no income
                has_income = has_income.astype("boolean").mask(numbers.isna())
            extra = extra.assign(monthly_income_usd=numbers, has_income=has_income)
        known = frame["client_id"].isin(extra["client_id"]).to_numpy(dtype=bool)
        if len(frame) and not known.any():
            raise CityKitError(
                f"none of the {len(frame):,} exits' client_id values is in clients (e.g. "
                f"{frame['client_id'].iloc[0]!r} in the enrollments, "
                f"{extra['client_id'].iloc[0] if len(extra) else None!r} in clients), so every "
                "client attribute would be missing. Check that both tables come from the same "
                "export and write ids the same way (prefixes, leading zeros, text or numbers)."
            )
        frame = frame.merge(extra, on="client_id", how="left", validate="many_to_one")
        # an exit whose client is not in clients says so on its own row
        frame["unmatched"] = (~known).astype(int)
        if not known.all():
            shown = ", ".join(map(repr, frame.loc[~known, "client_id"].unique()[:3]))
            frame.attrs["notes"] = [
                f"{int((~known).sum()):,} of {len(frame):,} exits have a client_id that is not "
                f"in clients (e.g. {shown}); their client attributes are missing."
            ]
    return frame.reset_index(drop=True)
