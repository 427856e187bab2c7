"""Riverton's randomized A/B tests of small levers against business as usual.

Three trials, each a table shaped like the export an analyst receives after a test:

``bill_reminder_trial``
    Water Utility bills due in March 2024. A reminder letter, mailed a week before the due date,
    was randomized **within account type** (the blocks) with different shares because the print
    budget favoured multi-family buildings: 50% of residential, 80% of multi-family and 20% of
    commercial accounts got the letter. Outcome: paid on time (by the due date).
``registration_reminder_trial``
    City vehicle registrations expiring April-June 2024. Three arms, assigned completely at
    random in equal shares: the standard renewal notice only (``control``), plus a postcard, or
    plus a text message. Texts reach only owners with a mobile number on file; some postcards come
    back undeliverable, so the effects are intention-to-treat. Outcome: renewed within 30 days of
    the reminder date.
``job_posting_trial``
    City job postings in 2024. Whole postings (the clusters) were randomized, within job family,
    to the standard text or a **service-motivation** message ("make a difference in Riverton").
    One row per view of a posting; outcome: the viewer started an application.

Texture: bills issued on weekdays only, skewed balances, a few accounts whose age is unknown
(migrated from the pre-2009 billing system), payment dates missing for bills unpaid at the data
pull; expiration dates on the last day of a month; fewer job-page views at weekends, a few
postings with many views; unequal cluster sizes.

Ground truth
------------
:data:`TRUE_EFFECTS` holds each trial's true average effect (in proportion units: 0.0415 is 4.15
percentage points) for the population the table represents, as the expected value of the right
estimator: the block-weighted difference for the bill trial (:data:`BILL_BLOCK_EFFECTS` shows
the effect by account type), the intention-to-treat difference for registrations, and the
view-weighted difference for the job postings (:data:`JOB_ICC_SD` sets the posting-to-posting
spread that makes cluster-robust errors necessary).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykit.synth._core import City, Field, TableSpec, family_rng

__all__ = [
    "SPECS",
    "TRUE_EFFECTS",
    "BILL_BLOCKS",
    "BILL_BLOCK_EFFECTS",
    "REGISTRATION_DELIVERY",
    "JOB_ICC_SD",
    "generate",
]

#: account type -> (accounts at scale 1, share sent the letter, baseline on-time rate)
BILL_BLOCKS = {
    "residential": (4200, 0.5, 0.66),
    "multi-family": (600, 0.8, 0.52),
    "commercial": (1200, 0.2, 0.80),
}

#: true effect of the letter on the probability of paying on time, by account type
BILL_BLOCK_EFFECTS = {"residential": 0.045, "multi-family": 0.06, "commercial": 0.02}

#: effect of a *delivered* reminder and the share delivered (intention-to-treat = product)
REGISTRATION_DELIVERY = {
    "postcard": {"effect_if_delivered": 0.03, "share_delivered": 0.96},
    "text_message": {"effect_if_delivered": 0.07, "share_delivered": 0.70},
}

#: standard deviation of posting-level random effects on the application rate
JOB_ICC_SD = 0.02

_BILL_N = sum(v[0] for v in BILL_BLOCKS.values())

#: true average effects (difference in proportions) that the toolkit should recover
TRUE_EFFECTS = {
    "bill_reminder_trial": {
        "letter": sum(BILL_BLOCKS[b][0] * BILL_BLOCK_EFFECTS[b] for b in BILL_BLOCKS) / _BILL_N
    },
    "registration_reminder_trial": {
        arm: v["effect_if_delivered"] * v["share_delivered"]
        for arm, v in REGISTRATION_DELIVERY.items()
    },
    "job_posting_trial": {"service_motivation": 0.03},
}

_ACCOUNT_TYPES = tuple(BILL_BLOCKS)
_AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
_VEHICLES = ("passenger car", "light truck", "motorcycle", "commercial vehicle")
_FAMILIES = ("public safety", "trades and maintenance", "office and administration", "professional")

SPECS = (
    TableSpec(
        name="bill_reminder_trial",
        title="Water bill reminder-letter trial (March 2024)",
        description=(
            "One row per Water Utility account with a bill due in March 2024. Reminder letters "
            "were randomized within account type (the blocks) with different shares: 50% of "
            "residential, 80% of multi-family and 20% of commercial accounts were sent a letter "
            "7 days before the due date. Outcome: paid on time. Analyse with the block-weighted "
            "estimator (shares differ by block)."
        ),
        fields=(
            Field("account_id", "string", "Water Utility account number.", required=True),
            Field("district", "string", "Council district of the service address.", required=True),
            Field(
                "account_type",
                "string",
                "Account type; the randomization block.",
                categories=_ACCOUNT_TYPES,
                required=True,
            ),
            Field(
                "assignment_probability",
                "number",
                "Probability that this account was sent the letter (its block's share).",
                unit="share 0-1",
                minimum=0,
                maximum=1,
                required=True,
            ),
            Field(
                "arm",
                "string",
                "Assigned arm: 'control' (bill only, business as usual) or 'letter'.",
                categories=("control", "letter"),
                required=True,
            ),
            Field("bill_date", "date", "Date the bill was issued (weekdays only).", required=True),
            Field("due_date", "date", "Payment due date (21 days after the bill).", required=True),
            Field(
                "balance_usd",
                "number",
                "Account balance due on this bill (right-skewed: a few large commercial balances).",
                unit="US dollars",
                minimum=0,
                required=True,
            ),
            Field(
                "prior_late_payments",
                "integer",
                "Bills paid late in the 12 months before this one.",
                unit="bills",
                minimum=0,
                maximum=12,
                required=True,
            ),
            Field(
                "account_age_years",
                "number",
                "Years since the account was opened. Missing (about 1%) for accounts migrated "
                "from the pre-2009 billing system without an opening date.",
                unit="years",
                minimum=0,
            ),
            Field(
                "letter_sent_date",
                "date",
                "Date the reminder letter was mailed; empty for the control arm.",
            ),
            Field(
                "letter_returned",
                "boolean",
                "The letter came back undeliverable; empty for the control arm.",
            ),
            Field(
                "paid_date",
                "date",
                "Date the bill was paid in full; empty if unpaid when the data were pulled "
                "(2024-05-31).",
            ),
            Field(
                "paid_on_time",
                "boolean",
                "Paid in full on or before the due date (the outcome).",
                required=True,
            ),
        ),
        primary_key=("account_id",),
    ),
    TableSpec(
        name="registration_reminder_trial",
        title="Vehicle-registration reminder trial (April-June 2024)",
        description=(
            "One row per city vehicle registration expiring from April to June 2024. Owners were "
            "assigned completely at random, a third each, to the standard notice only "
            "('control'), a reminder postcard, or a text message, sent 30 days before expiry. "
            "Outcome: renewed within 30 days of the reminder date (intention-to-treat: texts "
            "reach only owners with a mobile number on file)."
        ),
        fields=(
            Field("registration_id", "string", "Registration record number.", required=True),
            Field("district", "string", "Council district of the owner's address.", required=True),
            Field(
                "vehicle_type",
                "string",
                "Type of vehicle.",
                categories=_VEHICLES,
                required=True,
            ),
            Field(
                "owner_age_band",
                "string",
                "Age band of the registered owner.",
                unit="years",
                categories=_AGE_BANDS,
                ordered=True,
                required=True,
            ),
            Field(
                "prior_late_renewal",
                "boolean",
                "The previous renewal was late.",
                required=True,
            ),
            Field(
                "mobile_on_file",
                "boolean",
                "A mobile phone number is on file (needed to receive a text).",
                required=True,
            ),
            Field(
                "expiration_date",
                "date",
                "Registration expiry date (last day of a month).",
                required=True,
            ),
            Field(
                "reminder_date",
                "date",
                "Date reminders were sent (30 days before expiry), for every arm.",
                required=True,
            ),
            Field(
                "arm",
                "string",
                "Assigned arm: 'control', 'postcard' or 'text_message'.",
                categories=("control", "postcard", "text_message"),
                required=True,
            ),
            Field(
                "reminder_delivered",
                "boolean",
                "The postcard or text reached the owner; empty for the control arm.",
            ),
            Field(
                "renewed_date",
                "date",
                "Date of renewal; empty if not renewed within 90 days of expiry.",
            ),
            Field(
                "renewed_within_30_days",
                "boolean",
                "Renewed within 30 days of the reminder date (the outcome).",
                required=True,
            ),
        ),
        primary_key=("registration_id",),
    ),
    TableSpec(
        name="job_posting_trial",
        title="Job-posting message trial (2024)",
        description=(
            "One row per view of a City of Riverton job posting in 2024. Whole postings were "
            "randomized within job family to the standard text ('control') or a "
            "'service_motivation' message. Outcome: the viewer started an application. Postings "
            "are the clusters: use cluster-robust standard errors by posting_id."
        ),
        fields=(
            Field("view_id", "string", "Page-view record number.", required=True),
            Field("posting_id", "string", "Job posting; the unit of randomization.", required=True),
            Field(
                "job_family",
                "string",
                "Job family; the randomization block of postings.",
                categories=_FAMILIES,
                required=True,
            ),
            Field("department", "string", "Hiring department.", required=True),
            Field(
                "salary_min_usd",
                "integer",
                "Bottom of the posted annual salary range.",
                unit="US dollars per year",
                minimum=0,
                required=True,
            ),
            Field(
                "arm",
                "string",
                "Message shown on the posting: 'control' or 'service_motivation'.",
                categories=("control", "service_motivation"),
                required=True,
            ),
            Field("view_date", "date", "Date of the view (fewer at weekends).", required=True),
            Field(
                "device",
                "string",
                "Device used for the view.",
                categories=("mobile", "desktop"),
                required=True,
            ),
            Field(
                "referral_source",
                "string",
                "Where the viewer came from; 'unknown' when the browser sent no referrer.",
                categories=("city website", "job board", "social media", "unknown"),
                required=True,
            ),
            Field(
                "applied",
                "boolean",
                "The viewer started an application (the outcome).",
                required=True,
            ),
        ),
        primary_key=("view_id",),
    ),
)


def _districts(rng: np.random.Generator, city: City, n: int) -> np.ndarray:
    weights = np.asarray(city.district_population, dtype=float)
    return rng.choice(np.asarray(city.districts, dtype=object), size=n, p=weights / weights.sum())


def _ids(prefix: str, numbers: np.ndarray, width: int = 0) -> np.ndarray:
    """Vectorized record numbers such as 'W-0400003'."""
    text = np.char.zfill(numbers.astype(str), width) if width else numbers.astype(str)
    return np.char.add(prefix, text).astype(object)


def _scaled(n: int, scale: float, minimum: int = 20) -> int:
    return max(minimum, int(round(n * scale)))


def _bill_reminder(rng: np.random.Generator, scale: float, city: City) -> pd.DataFrame:
    parts = []
    for b, (size, share, base) in BILL_BLOCKS.items():
        n = _scaled(size, scale)
        treated = np.zeros(n, dtype=bool)
        treated[: int(round(n * share))] = True
        parts.append(
            pd.DataFrame(
                {
                    "account_type": b,
                    "treated": rng.permutation(treated),
                    "base": base,
                    "share": share,
                    "effect": BILL_BLOCK_EFFECTS[b],
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    n = len(frame)
    kind = frame["account_type"].to_numpy()
    prior = np.minimum(rng.negative_binomial(1, 0.55, n), 12)
    median = np.select([kind == "residential", kind == "multi-family"], [62.0, 410.0], 305.0)
    amount = np.round(median * rng.lognormal(0.0, 0.55, n), 2)
    age = np.round(rng.gamma(2.0, 6.0, n), 1)
    # baseline probability: lower with past late payments and big bills, higher for old accounts
    z = (
        -0.35 * (prior - 0.8)
        - 0.25 * (np.log(amount / median))
        + 0.015 * (age - 12)
        + rng.normal(0, 0.3, n)
    )
    p0 = np.clip(frame["base"].to_numpy() + 0.12 * np.tanh(z), 0.05, 0.92)
    treated = frame["treated"].to_numpy()
    p = p0 + treated * frame["effect"].to_numpy()
    on_time = rng.uniform(size=n) < p
    # dates: bills on March 2024 weekdays, due 21 days later
    days = pd.bdate_range("2024-03-01", "2024-03-29").to_numpy().astype("datetime64[D]")
    bill = rng.choice(days, size=n)
    due = bill + np.timedelta64(21, "D")
    early = rng.integers(0, 19, n)
    late = 1 + rng.geometric(1 / 12, n)
    paid = np.where(
        on_time, due - early.astype("timedelta64[D]"), due + late.astype("timedelta64[D]")
    )
    pull = np.datetime64("2024-05-31")
    unpaid = (~on_time) & ((paid > pull) | (rng.uniform(size=n) < 0.2))
    letter = due - np.timedelta64(7, "D")
    returned = rng.uniform(size=n) < 0.03
    age_missing = rng.uniform(size=n) < 0.012
    order = rng.permutation(n)
    out = pd.DataFrame(
        {
            "account_id": "",
            "district": _districts(rng, city, n),
            "account_type": kind,
            "assignment_probability": frame["share"].to_numpy(),
            "arm": np.where(treated, "letter", "control"),
            "bill_date": bill,
            "due_date": due,
            "balance_usd": amount,
            "prior_late_payments": prior,
            "account_age_years": np.where(age_missing, np.nan, age),
            "letter_sent_date": pd.Series(letter).where(treated),
            "letter_returned": pd.Series(returned, dtype="boolean").where(treated),
            "paid_date": pd.Series(paid).where(~unpaid),
            "paid_on_time": on_time,
        }
    )
    out = out.iloc[order].reset_index(drop=True)
    out["account_id"] = _ids("W-", 400003 + 7 * np.arange(n), width=7)
    return out


def _registration_reminder(rng: np.random.Generator, scale: float, city: City) -> pd.DataFrame:
    n = _scaled(9000, scale, minimum=30)
    arms = np.array(["control", "postcard", "text_message"], dtype=object)
    counts = np.full(3, n // 3)
    counts[: n - counts.sum()] += 1
    arm = rng.permutation(np.repeat(arms, counts))
    vehicle = rng.choice(np.array(_VEHICLES, dtype=object), size=n, p=[0.72, 0.2, 0.05, 0.03])
    band = rng.choice(
        np.array(_AGE_BANDS, dtype=object), size=n, p=[0.07, 0.18, 0.19, 0.19, 0.19, 0.18]
    )
    young = np.isin(band, ["18-24", "25-34"])
    prior_late = rng.uniform(size=n) < np.where(young, 0.32, 0.18)
    mobile = rng.uniform(size=n) < REGISTRATION_DELIVERY["text_message"]["share_delivered"]
    postcard_ok = rng.uniform(size=n) < REGISTRATION_DELIVERY["postcard"]["share_delivered"]
    delivered = np.where(arm == "text_message", mobile, postcard_ok)
    effect = np.select(
        [arm == "postcard", arm == "text_message"],
        [
            REGISTRATION_DELIVERY["postcard"]["effect_if_delivered"] * postcard_ok,
            REGISTRATION_DELIVERY["text_message"]["effect_if_delivered"] * mobile,
        ],
        0.0,
    )
    p0 = np.clip(
        0.60
        - 0.16 * prior_late
        + 0.06 * np.isin(band, ["55-64", "65+"])
        - 0.05 * young
        + 0.04 * (vehicle == "commercial vehicle")
        + rng.normal(0, 0.04, n),
        0.2,
        0.88,
    )
    renewed30 = rng.uniform(size=n) < p0 + effect
    month_ends = np.array(["2024-04-30", "2024-05-31", "2024-06-30"], dtype="datetime64[D]")
    expiry = rng.choice(month_ends, size=n, p=[0.31, 0.35, 0.34])
    reminder = expiry - np.timedelta64(30, "D")
    within = rng.integers(0, 31, n)
    # renewals after the window: some within 90 days after expiry, the rest never (in the data)
    later = rng.integers(31, 121, n)
    late_renewal = rng.uniform(size=n) < 0.55
    renewed = np.where(
        renewed30,
        reminder + within.astype("timedelta64[D]"),
        reminder + later.astype("timedelta64[D]"),
    )
    return pd.DataFrame(
        {
            "registration_id": _ids("VR24-", 100001 + np.arange(n)),
            "district": _districts(rng, city, n),
            "vehicle_type": vehicle,
            "owner_age_band": band,
            "prior_late_renewal": prior_late,
            "mobile_on_file": mobile,
            "expiration_date": expiry,
            "reminder_date": reminder,
            "arm": arm,
            "reminder_delivered": pd.Series(delivered, dtype="boolean").where(arm != "control"),
            "renewed_date": pd.Series(renewed).where(renewed30 | late_renewal),
            "renewed_within_30_days": renewed30,
        }
    )


def _job_posting(rng: np.random.Generator, scale: float, city: City) -> pd.DataFrame:
    per_family = max(6, int(round(20 * scale)))
    postings = []
    departments = np.array(city.departments, dtype=object)
    base_rate = {
        "public safety": 0.07,
        "trades and maintenance": 0.10,
        "office and administration": 0.12,
        "professional": 0.08,
    }
    salary = {
        "public safety": 52000,
        "trades and maintenance": 44000,
        "office and administration": 39000,
        "professional": 61000,
    }
    for f_index, family in enumerate(_FAMILIES):
        arms = np.array(["control", "service_motivation"], dtype=object)
        arm = rng.permutation(np.repeat(arms, [per_family // 2, per_family - per_family // 2]))
        for j in range(per_family):
            postings.append(
                {
                    "posting_id": f"JP-24{f_index + 1}{j + 1:03d}",
                    "job_family": family,
                    "arm": arm[j],
                    "base": base_rate[family],
                    "salary": salary[family],
                }
            )
    post = pd.DataFrame(postings)
    m = len(post)
    views = np.maximum(15, np.round(rng.lognormal(np.log(90), 0.5, m))).astype(int)
    post["u"] = rng.normal(0, JOB_ICC_SD, m)
    post["department"] = rng.choice(departments, size=m)
    post["salary_min_usd"] = (post["salary"] * rng.uniform(0.85, 1.2, m) / 500).round() * 500
    post["opened"] = rng.integers(0, 300, m)
    rows = post.loc[np.repeat(np.arange(m), views)].reset_index(drop=True)
    n = len(rows)
    p0 = np.clip(rows["base"].to_numpy() + rows["u"].to_numpy(), 0.01, 0.5)
    effect = TRUE_EFFECTS["job_posting_trial"]["service_motivation"]
    applied = rng.uniform(size=n) < p0 + effect * (rows["arm"].to_numpy() == "service_motivation")
    # views fall off after a posting opens; weekends get fewer views
    offset = np.minimum(rng.exponential(9, n).astype(int), 45)
    day = np.datetime64("2024-01-02") + (rows["opened"].to_numpy() + offset).astype(
        "timedelta64[D]"
    )
    weekday = (day.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    weekend = weekday >= 5
    shift = np.where(weekend & (rng.uniform(size=n) < 0.6), 7 - weekday, 0)
    day = day + shift.astype("timedelta64[D]")
    mobile = rng.uniform(size=n) < 0.58
    source = rng.choice(
        np.array(["city website", "job board", "social media", "unknown"], dtype=object),
        size=n,
        p=[0.41, 0.33, 0.17, 0.09],
    )
    out = pd.DataFrame(
        {
            "view_id": _ids("V", 500001 + np.arange(n)),
            "posting_id": rows["posting_id"].to_numpy(),
            "job_family": rows["job_family"].to_numpy(),
            "department": rows["department"].to_numpy(),
            "salary_min_usd": rows["salary_min_usd"].astype(int).to_numpy(),
            "arm": rows["arm"].to_numpy(),
            "view_date": day,
            "device": np.where(mobile, "mobile", "desktop"),
            "referral_source": source,
            "applied": applied,
        }
    )
    return out


def generate(*, seed: int, scale: float = 1.0, city: City, tables=None) -> dict[str, pd.DataFrame]:
    """Generate the three trial tables (deterministic for a seed and scale).

    ``tables`` optionally names a subset (used by fast coverage simulations); each table has its
    own random stream, so making one never changes another.

    Examples
    --------
    >>> from citykit.synth._core import RIVERTON
    >>> made = generate(seed=1, scale=0.1, city=RIVERTON, tables=["bill_reminder_trial"])
    >>> made["bill_reminder_trial"].groupby("account_type")["arm"].apply(
    ...     lambda arm: (arm == "letter").mean()).round(2).to_dict()
    {'commercial': 0.2, 'multi-family': 0.8, 'residential': 0.5}
    """
    streams = family_rng(seed, "trials").spawn(3)
    makers = {
        "bill_reminder_trial": (_bill_reminder, streams[0]),
        "registration_reminder_trial": (_registration_reminder, streams[1]),
        "job_posting_trial": (_job_posting, streams[2]),
    }
    wanted = list(makers) if tables is None else list(tables)
    return {name: makers[name][0](makers[name][1], scale, city) for name in wanted}
