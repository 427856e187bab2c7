"""k-anonymity (Sweeney 2002): how many records share each combination of quasi-identifiers.

Examples
--------
>>> import pandas as pd
>>> k_anonymity(pd.DataFrame({"zip3": ["021", "021"]}), quasi_identifiers=["zip3"], k=2).k
2
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from citykit.errors import ArgumentRangeError, ColumnTypeError, require_columns, require_non_empty

__all__ = ["k_anonymity", "KAnonymityReport"]


@dataclass(frozen=True)
class KAnonymityReport:
    """How identifiable the records are on a set of quasi-identifiers.

    Attributes
    ----------
    k : int
        Size of the smallest group of records sharing the same quasi-identifier values.
    required_k : int
        The k the release needs.
    quasi_identifiers : tuple
        The columns checked.
    classes : DataFrame
        One row per combination with its ``size``, smallest first.
    at_risk : DataFrame
        The records in groups smaller than ``required_k`` (to generalise or suppress).
    """

    k: int
    required_k: int
    quasi_identifiers: tuple
    classes: pd.DataFrame = field(repr=False)
    at_risk: pd.DataFrame = field(repr=False)

    @property
    def n_at_risk(self) -> int:
        """Number of records in groups smaller than ``required_k``."""
        return len(self.at_risk)

    @property
    def share_at_risk(self) -> float:
        """Share of all records that are at risk (0-1)."""
        return self.n_at_risk / int(self.classes["size"].sum())

    @property
    def unique_records(self) -> int:
        """Records that are alone in their group (k = 1)."""
        return int((self.classes["size"] == 1).sum())

    def __repr__(self) -> str:
        verdict = "meets" if self.k >= self.required_k else "does not meet"
        return (
            f"KAnonymityReport(k={self.k} on {', '.join(self.quasi_identifiers)}: {verdict} "
            f"k={self.required_k}; {self.n_at_risk} records ({self.share_at_risk:.1%}) in groups "
            f"smaller than {self.required_k})"
        )

    def _repr_html_(self) -> str:
        return f"<p>{self!r}</p>{self.classes.head(10).to_html(index=False)}"


def k_anonymity(
    data: pd.DataFrame, *, quasi_identifiers: list[str] | tuple[str, ...], k: int = 5
) -> KAnonymityReport:
    """Measure k-anonymity on chosen quasi-identifiers and list the records at risk.

    Parameters
    ----------
    data : DataFrame
        One row per person or property (the records to release).
    quasi_identifiers : list of str
        Columns that someone could link to outside information (ZIP code, age band, sex,
        district, year built ...). Missing values count as a value of their own.
    k : int
        The group size the release needs (at least 1; 5 and 11 are common choices).

    Returns
    -------
    KAnonymityReport

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"zip3": ["021", "021", "022"], "sex": ["F", "F", "M"]})
    >>> report = k_anonymity(people, quasi_identifiers=["zip3", "sex"], k=2)
    >>> report.k, report.n_at_risk
    (1, 1)
    """
    if isinstance(quasi_identifiers, str):
        quasi_identifiers = [quasi_identifiers]
    if not isinstance(quasi_identifiers, (list, tuple)) or not quasi_identifiers:
        raise ColumnTypeError(
            "quasi_identifiers must be a non-empty list of column names, e.g. "
            "['district', 'owner_type', 'year_built']."
        )
    require_columns(data, list(quasi_identifiers), argument="data")
    require_non_empty(data, argument="data")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ColumnTypeError(f"k must be a whole number such as 5, but {k!r} was given.")
    if k < 1:
        raise ArgumentRangeError(
            f"k must be at least 1 (every record is in a group of at least 1), but {k} was given. "
            "Common choices are 3, 5 or 11."
        )
    qi = list(quasi_identifiers)
    sizes = data.groupby(qi, dropna=False, sort=False)[qi[0]].transform("size")
    classes = (
        data.groupby(qi, dropna=False, sort=False)
        .size()
        .rename("size")
        .reset_index()
        .sort_values("size", kind="stable", ignore_index=True)
    )
    small = sizes.to_numpy() < k
    at_risk = data[small].assign(group_size=sizes.to_numpy()[small])
    return KAnonymityReport(
        k=int(classes["size"].min()),
        required_k=int(k),
        quasi_identifiers=tuple(qi),
        classes=classes,
        at_risk=at_risk,
    )
