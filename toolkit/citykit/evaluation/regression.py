"""Least squares with robust standard errors (HC0-HC3, classical, CR1, CR2).

The regression behind :func:`~citykit.evaluation.estimate_effects`, usable on its own through
:func:`robust_regression`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from citykit.errors import CityKitError, require_columns, require_keyword_choice, require_non_empty
from citykit.evaluation._checks import (
    check_alpha,
    covariate_matrix,
    numeric_outcome,
)

__all__ = ["robust_regression"]

SE_TYPES = ("HC2", "HC0", "HC1", "HC3", "classical", "CR2", "CR1")


def _cr2(x: np.ndarray, resid: np.ndarray, groups: np.ndarray, bread: np.ndarray):
    """CR2 (Bell-McCaffrey) covariance and Satterthwaite df per coefficient.

    Follows the clubSandwich / estimatr construction (``docs/methods.md``): the residuals of cluster
    s are scaled by (I − H_ss)^(-1/2); the df of coefficient j is tr(P)²/tr(P²) with
    P = diag(v_s'v_s) − W' (X'X)⁻¹ W, v_s = A_s X_s (X'X)⁻¹ e_j and w_s = X_s' v_s.
    """
    k = x.shape[1]
    codes, _ = pd.factorize(groups)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    half_meat = []
    ax_list = []
    for index in np.split(order, bounds):
        xs = x[index]
        # H_ss = X_s B X_s' has rank <= k: with X_s = QR and R B R' = V diag(lam) V',
        # (I - H_ss)^(-1/2) = I + U diag((1 - lam)^(-1/2) - 1) U' with U = QV (no n_s x n_s work);
        # directions with 1 - lam <= 1e-12 get weight 0, as in clubSandwich/estimatr.
        q, r = np.linalg.qr(xs)
        lam, v = np.linalg.eigh(r @ bread @ r.T)
        u = q @ v
        room = 1 - lam
        scale = np.where(room > 1e-12, 1 / np.sqrt(np.clip(room, 1e-12, None)) - 1, -1.0)
        ax = xs + (u * scale) @ (u.T @ xs)  # A_s X_s
        half_meat.append(resid[index] @ ax)
        ax_list.append((ax, xs))
    half = np.vstack(half_meat)
    cov = bread @ (half.T @ half) @ bread
    dfs = np.empty(k)
    for j in range(k):
        column = bread[:, j]
        vs = [ax @ column for ax, _ in ax_list]
        w = np.column_stack([xs.T @ v for v, (_, xs) in zip(vs, ax_list, strict=True)])
        # P = diag(d) - W'BW without forming the S x S matrix (S = number of clusters):
        # tr P = sum d - sum g;  tr P^2 = sum d^2 - 2 sum d g + tr(BCBC), C = W W', g_s = w_s'Bw_s
        d = np.array([float(v @ v) for v in vs])
        g = np.einsum("is,ij,js->s", w, bread, w)
        bc = bread @ (w @ w.T)
        trace_p = d.sum() - g.sum()
        trace_p2 = float((d**2).sum() - 2 * (d * g).sum() + np.trace(bc @ bc))
        dfs[j] = trace_p**2 / trace_p2
    return cov, dfs


def _fit(y: np.ndarray, x: pd.DataFrame, *, se_type: str, clusters=None, weights=None):
    """Return (params, se, df) as Series indexed by the columns of ``x``.

    With ``weights`` (frequency weights: row i stands for ``weights[i]`` identical units) the
    estimates, standard errors and degrees of freedom are those of the expanded data, computed
    without expanding it (see :func:`_weighted_fit`).
    """
    import statsmodels.api as sm

    names = list(x.columns)
    xm = x.to_numpy(dtype=float)
    n, k = xm.shape
    units = n if weights is None else float(weights.sum())
    if units - k < 1:
        raise CityKitError(
            f"There are {units:g} units but the model has {k} terms; use fewer covariates or "
            "blocks."
        )
    if weights is not None:
        return _weighted_fit(y, xm, names, weights, se_type=se_type, clusters=clusters)
    model = sm.OLS(y, xm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if se_type in ("CR2", "classical"):
            fit = model.fit()
        elif se_type == "CR1":
            codes, _ = pd.factorize(clusters)
            fit = model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
            se = np.asarray(fit.bse)
            dfs = np.full(k, float(len(np.unique(codes)) - 1))
        else:
            fit = model.fit(cov_type=se_type, use_t=True)
    # the fit's pseudo-inverse already has the design's singular values: its rank needs no
    # second decomposition
    _check_rank(np.asarray(model.wexog_singular_values), n, k)
    if se_type == "CR2":
        bread = np.linalg.inv(xm.T @ xm)
        cov, dfs = _cr2(xm, fit.resid, clusters, bread)
        se = np.sqrt(np.diag(cov))
    elif se_type != "CR1":
        if se_type.startswith("HC"):
            _check_leverage(np.einsum("ij,jk,ik->i", xm, model.normalized_cov_params, xm))
        se = np.asarray(fit.bse)
        dfs = np.full(k, float(n - k))
    _check_se(se)
    return (
        pd.Series(np.asarray(fit.params), index=names),
        pd.Series(se, index=names),
        pd.Series(dfs, index=names),
    )


_SINGLE_UNIT = (
    "A standard error could not be computed: some arm (or block × arm cell, or cluster) "
    "has a single unit, which leaves no room to measure variation. Merge small blocks "
    "or collect more units."
)


def _check_se(se: np.ndarray) -> None:
    if not np.all(np.isfinite(se)):
        raise CityKitError(_SINGLE_UNIT)


def _check_leverage(leverage: np.ndarray) -> None:
    """A unit with leverage 1 is alone in its cell: its residual is 0 whatever its variance.

    HC2/HC3 divide 0 by 0 there and HC0/HC1 count its variance as 0, so the standard error
    would be computed from the other cells only (estimatr gives NaN); stop instead.
    """
    if np.any(leverage > 1 - 1e-8):
        raise CityKitError(_SINGLE_UNIT)


def _check_rank(sv: np.ndarray, n: float, k: int) -> None:
    # numpy.linalg.matrix_rank's tolerance, from singular values already computed
    if int(np.sum(sv > sv.max() * max(n, k) * np.finfo(float).eps)) < k:
        raise CityKitError(
            "The arms, covariates and blocks are collinear (some column is a combination of "
            "others), so the effect cannot be separated out. Drop a covariate that repeats "
            "another, or a block/covariate that is the same for every unit of an arm."
        )


def _weighted_fit(y, xm, names, w, *, se_type: str, clusters=None):
    """Least squares with frequency weights, giving exactly the results of the expanded data.

    A row with weight w_i stands for w_i units with the same covariates and outcome. Expanded,
    every copy has the residual e_i and the leverage h_i = x_i'(X'WX)⁻¹x_i, so the sandwich
    meat is Σ w_i·ω_i·e_i²·x_i x_i' with ω = 1 (HC0), N/(N − k) (HC1), 1/(1 − h_i) (HC2) or
    1/(1 − h_i)² (HC3), N = Σ w_i the number of units. CR2 is the unweighted construction applied
    to √w_i·x_i and √w_i·e_i: the expanded cluster's (I − H_ss)^(-1/2) acts on that
    space exactly (its eigenvectors are the duplicated rows of √W·X_s, rescaled). Degrees of
    freedom count units, not rows.
    """
    n_units = float(w.sum())
    k = xm.shape[1]
    root = np.sqrt(w)
    xw = xm * root[:, None]
    _check_rank(np.linalg.svd(xw, compute_uv=False), n_units, k)
    bread = np.linalg.inv(xw.T @ xw)
    params = bread @ (xw.T @ (y * root))
    resid = y - xm @ params
    with np.errstate(divide="ignore", invalid="ignore"):
        if se_type == "CR2":
            cov, dfs = _cr2(xw, resid * root, clusters, bread)
        elif se_type == "CR1":
            codes, _ = pd.factorize(clusters)
            scores = np.zeros((codes.max() + 1, k))
            np.add.at(scores, codes, xm * (w * resid)[:, None])
            g = scores.shape[0]
            factor = g / (g - 1) * (n_units - 1) / (n_units - k)
            cov = factor * bread @ (scores.T @ scores) @ bread
            dfs = np.full(k, float(g - 1))
        elif se_type == "classical":
            cov = float((w * resid**2).sum()) / (n_units - k) * bread
            dfs = np.full(k, n_units - k)
        else:
            leverage = np.einsum("ij,jk,ik->i", xm, bread, xm)
            _check_leverage(leverage)
            omega = {
                "HC0": np.ones_like(leverage),
                "HC1": np.full_like(leverage, n_units / (n_units - k)),
                "HC2": 1 / (1 - leverage),
                "HC3": 1 / (1 - leverage) ** 2,
            }[se_type]
            meat = (xm * (w * omega * resid**2)[:, None]).T @ xm
            cov = bread @ meat @ bread
            dfs = np.full(k, n_units - k)
        se = np.sqrt(np.diag(cov))
    _check_se(se)
    return (
        pd.Series(params, index=names),
        pd.Series(se, index=names),
        pd.Series(dfs, index=names),
    )


def _tidy(params, se, df, alpha) -> pd.DataFrame:
    t = params / se
    from scipy import stats

    p = 2 * stats.t.sf(np.abs(t), df)
    q = stats.t.ppf(1 - alpha / 2, df)
    return pd.DataFrame(
        {
            "term": params.index,
            "estimate": params.to_numpy(),
            "se": se.to_numpy(),
            "t": t.to_numpy(),
            "p_value": p,
            "ci_low": (params - q * se).to_numpy(),
            "ci_high": (params + q * se).to_numpy(),
            "df": df.to_numpy(),
        }
    )


def robust_regression(
    data: pd.DataFrame,
    *,
    outcome: str,
    predictors,
    se_type: str = "HC2",
    cluster: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Fit OLS of ``outcome`` on ``predictors`` (plus a constant) with robust standard errors.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    outcome : str
        Numeric outcome column.
    predictors : list of str
        Predictor columns; text columns become 0/1 dummies (first level dropped).
    se_type : {"HC2", "HC0", "HC1", "HC3", "classical", "CR2", "CR1"}, keyword-only
        HC1 is Stata's ``robust``; HC2 is estimatr's default; CR2/CR1 need ``cluster``.
    cluster : str, optional, keyword-only
        Cluster column for CR2/CR1.
    alpha : float, keyword-only
        1 − confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per term: term, estimate, se, t, p_value, ci_low, ci_high, df.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"y": [3, 5, 4, 8, 9, 7, 10], "t": [0, 0, 0, 1, 1, 1, 1]})
    >>> robust_regression(toy, outcome="y", predictors=["t"], se_type="HC3")["se"].round(7).tolist()
    [0.7071068, 1.0274023]
    """
    alpha = check_alpha(alpha)
    require_keyword_choice(se_type, SE_TYPES, argument="se_type")
    predictors = list(predictors)
    require_columns(data, [outcome, *predictors], argument="data")
    require_non_empty(data, argument="data")
    y = numeric_outcome(data, outcome)
    x = covariate_matrix(data, predictors)
    x.insert(0, "const", 1.0)
    groups = _cluster_labels(data, cluster, se_type)
    params, se, df = _fit(y, x, se_type=se_type, clusters=groups)
    return _tidy(params, se, df, alpha)


def _cluster_labels(data, cluster, se_type):
    if se_type in ("CR2", "CR1"):
        if cluster is None:
            raise CityKitError(
                f"se_type={se_type!r} is cluster-robust: pass cluster='<column>' naming the unit "
                "that was randomized (posting, office, route ...)."
            )
    if cluster is None:
        return None
    require_columns(data, [cluster], argument="data")
    labels = data[cluster]
    if labels.isna().any():
        raise CityKitError(
            f"data column {cluster!r} (the cluster) has {int(labels.isna().sum())} missing "
            "labels; every unit must belong to a cluster."
        )
    return labels.astype(str).to_numpy()
