"""Product categories from the free-text descriptions of a store's products.

Descriptions are normalised (lowercase; digits, punctuation and the stop words below dropped)
and turned into TF-IDF vectors of words and bigrams (terms of a single product dropped, rows
L2-normalised), reduced to LSA_DIMENSIONS latent dimensions (truncated SVD, rows normalised again),
which KMeans clusters: on raw TF-IDF rows of short descriptions KMeans puts most products in one
category (on the real Online Retail file, 60 % of them); in the latent space the categories are
balanced and read as kinds of product. k is chosen with the customers' rule
(models_py.k_selection: kneed elbow of inertia, best silhouette among elbow-1..elbow+1) unless
forced. Each category is named by its top 3 centroid terms and numbered by descending revenue;
analyst overrides (by product id or by term) then apply. Works on distinct products, never on
sales lines (50,000 products: about 40 s to choose k among 4..20, 4 s to categorise, on one
thread; BENCHMARKS.md).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from models_py import k_selection
from models_py.clustering import MAX_ITER, N_INIT, RANDOM_STATE
from models_py.errors import SegmentationError

log = logging.getLogger(__name__)

K_RANGE = range(4, 21)
SILHOUETTE_SAMPLE = k_selection.SILHOUETTE_SAMPLE
# A term must occur in at least this many products: a word of one product cannot group products.
MIN_PRODUCTS_PER_TERM = 2
LSA_DIMENSIONS = 50
NAME_TERMS = 3
LISTED_TERMS = 10
# Products whose description keeps no term of the vocabulary (and no override catches): they are
# not clustered (a zero vector would join an arbitrary cluster) but get this category, numbered
# last. Parentheses keep it apart from any name made of terms.
UNCATEGORISED = "(uncategorised)"

PRODUCT_COLUMNS = ("product_id", "description", "revenue")
OVERRIDE_COLUMNS = ("match_type", "match_value", "category_name")
MATCH_TYPES = ("product_id", "term")
SELECTION_COLUMNS = [
    "k",
    "inertia",
    "silhouette",
    "is_elbow",
    "is_chosen",
    "choice_reason",
    "n_products",
    "random_state",
    "n_init",
]
SELECTION_TYPES = {
    "k": "int64",
    "inertia": "float64",
    "silhouette": "float64",
    "is_elbow": "bool",
    "is_chosen": "bool",
    "choice_reason": "string",
    "n_products": "int64",
    "random_state": "int64",
    "n_init": "int64",
}

# The stop list: words that say nothing of the kind of product, dropped before the terms and
# bigrams are built ("JUMBO BAG RED RETROSPOT" -> bag, retrospot, "bag retrospot").
# Colours: the same product comes in several, which would otherwise group products by colour.
COLOUR_WORDS = frozenset(
    {
        "red",
        "blue",
        "pink",
        "white",
        "black",
        "green",
        "ivory",
        "cream",
        "yellow",
        "purple",
        "orange",
        "grey",
        "gray",
        "brown",
        "gold",
        "silver",
        "turquoise",
        "lilac",
        "colour",
        "colours",
        "coloured",
        "multicolour",
    }
)
# Sizes, quantities and units: "SET OF 3", "PACK OF 12", "SMALL", "JUMBO", "30CM".
SIZE_WORDS = frozenset(
    {
        "small",
        "medium",
        "large",
        "big",
        "giant",
        "jumbo",
        "mini",
        "tiny",
        "set",
        "sets",
        "pack",
        "packs",
        "of",
        "assorted",
        "cm",
    }
)
# Function words ("w" is what is left of "W/", with).
FILLER_WORDS = frozenset({"and", "with", "in", "on", "the", "for", "to", "w"})
STOP_WORDS = COLOUR_WORDS | SIZE_WORDS | FILLER_WORDS

# Letters, hyphens inside a word kept ("t-light"); apostrophes are removed first ("children's").
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")


@dataclass(frozen=True, eq=False)
class ProductFeatures:
    """Products sorted by id, their TF-IDF rows (sparse, L2-normalised), each column's term, and
    the latent rows KMeans clusters (dense, L2-normalised; zero for products without a term) with
    the SVD components that map them back to terms."""

    products: pd.DataFrame
    x: sparse.csr_matrix
    terms: np.ndarray
    z: np.ndarray
    components: np.ndarray

    @property
    def has_terms(self) -> np.ndarray:
        """True for the products with at least one term: the ones that are clustered."""
        return np.diff(self.x.indptr) > 0


def has_own_categories(source: str | None, products: pd.DataFrame) -> bool:
    """Whether a store's categories are its own (seed stores, product_categories): `own`, or
    `own_when_given` when its products carry a category; else they are clustered from the
    products' descriptions."""
    if source == "own_when_given":
        return bool(products["category"].notna().any())
    return source == "own"


def clean_words(text: object) -> list[str]:
    """Lowercase words of a description, digits, punctuation and one-letter leftovers dropped."""
    if text is None or pd.isna(text):
        return []
    words = _WORD.findall(str(text).lower().replace("'", ""))
    return [w for w in words if len(w) > 1]


def description_terms(text: object) -> list[str]:
    """The words of a description that can say what kind of product it is (stop list removed)."""
    return [w for w in clean_words(text) if w not in STOP_WORDS]


def normalise_description(text: object) -> str:
    """The normalised description the TF-IDF terms are built from."""
    return " ".join(description_terms(text))


def sorted_products(products: pd.DataFrame) -> pd.DataFrame:
    """Validated products sorted by product_id (text, unique); a missing revenue counts as 0."""
    missing = [c for c in PRODUCT_COLUMNS if c not in products.columns]
    if missing:
        raise SegmentationError(f"products lack the columns {missing}")
    if products["product_id"].isna().any():
        raise SegmentationError("products have a missing product_id")
    frame = pd.DataFrame(
        {
            "product_id": products["product_id"].astype(str).to_numpy(object),
            "description": products["description"].to_numpy(object),
            "revenue": pd.to_numeric(products["revenue"]).fillna(0.0).to_numpy(float),
        }
    )
    repeated = frame.loc[frame["product_id"].duplicated(), "product_id"]
    if len(repeated):
        raise SegmentationError(
            f"product_id must be unique: {len(repeated)} repeated, e.g. {repeated.iloc[0]!r}"
        )
    return frame.sort_values("product_id", kind="mergesort").reset_index(drop=True)


def product_features(products: pd.DataFrame) -> ProductFeatures:
    """TF-IDF of words and bigrams of the normalised descriptions, products sorted by id."""
    frame = sorted_products(products)
    vectorizer = TfidfVectorizer(
        tokenizer=description_terms,
        preprocessor=None,
        lowercase=False,
        token_pattern=None,
        ngram_range=(1, 2),
        min_df=MIN_PRODUCTS_PER_TERM,
        norm="l2",
        dtype=np.float64,
    )
    texts = ["" if pd.isna(d) else str(d) for d in frame["description"]]
    try:
        x = vectorizer.fit_transform(texts).tocsr()
        terms = vectorizer.get_feature_names_out()
    except ValueError:  # no term in two products (sklearn's "empty vocabulary"): no features
        log.warning(
            "no description term is shared by %d of the %d products: none can be categorised",
            MIN_PRODUCTS_PER_TERM,
            len(frame),
        )
        x = sparse.csr_matrix((len(frame), 0), dtype=np.float64)
        terms = np.array([], dtype=object)
    x.sort_indices()
    z, components = latent_rows(x, RANDOM_STATE)
    features = ProductFeatures(frame, x, terms, z, components)
    log.info(
        "product features: %d products (%d with terms), %d terms",
        len(frame),
        int(features.has_terms.sum()),
        len(features.terms),
    )
    return features


def latent_rows(x: sparse.csr_matrix, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """Truncated SVD of the rows with terms (fixed seed), rows normalised; zero rows stay zero."""
    has_terms = np.diff(x.indptr) > 0
    if x.shape[1] < 2 or has_terms.sum() < 2:  # nothing to reduce: the rows are their own space
        return normalize(x).toarray() if x.shape[1] else np.zeros((x.shape[0], 1)), np.eye(
            max(x.shape[1], 1)
        )[:, : x.shape[1]]
    dims = max(1, min(LSA_DIMENSIONS, x.shape[1] - 1, int(has_terms.sum()) - 1))
    svd = TruncatedSVD(n_components=dims, random_state=random_state, algorithm="randomized")
    z = np.zeros((x.shape[0], dims))
    with threadpool_limits(limits=1):
        z[has_terms] = normalize(svd.fit_transform(x[has_terms]))
    return z, svd.components_


def n_distinct_rows(x: sparse.csr_matrix) -> int:
    """Number of distinct rows of a CSR matrix with sorted indices (identical descriptions)."""
    bounds = zip(x.indptr[:-1], x.indptr[1:], strict=True)
    return len({(x.indices[a:b].tobytes(), x.data[a:b].tobytes()) for a, b in bounds})


def kmeans(x: np.ndarray, k: int, random_state: int, n_init: int) -> KMeans:
    """A KMeans fit with every source of randomness pinned, on one native thread (as
    models_py.clustering.kmeans)."""
    model = KMeans(
        n_clusters=k, n_init=n_init, random_state=random_state, max_iter=MAX_ITER, algorithm="lloyd"
    )
    with threadpool_limits(limits=1):
        return model.fit(x)


def _possible_ks(x: sparse.csr_matrix, ks: range | list[int], strict: bool = True) -> list[int]:
    """The k values of the range that leave at least one distinct product to spare (distinct
    descriptions counted on the TF-IDF rows); none raises unless not strict."""
    distinct = n_distinct_rows(x)
    possible = [int(k) for k in ks if 2 <= k <= distinct - 1]
    if not possible and strict:
        raise SegmentationError(
            f"cannot try k in {min(ks)}..{max(ks)} with {distinct} distinct product descriptions"
        )
    return possible


def _one_category_table(
    x: sparse.csr_matrix, k_range: range | list[int], random_state: int, n_init: int
) -> pd.DataFrame:
    """The k selection of products too alike to cluster: k = 1 chosen, and why."""
    distinct = n_distinct_rows(x)
    reason = (
        f"{distinct} distinct product description(s) with a shared term: too few to try k in "
        f"{min(k_range)}..{max(k_range)}, so one category"
    )
    log.warning("product categories: %s", reason)
    return pd.DataFrame(
        [
            {
                "k": 1,
                "inertia": float("nan"),
                "silhouette": float("nan"),
                "is_elbow": False,
                "is_chosen": True,
                "choice_reason": reason,
                "n_products": x.shape[0],
                "random_state": random_state,
                "n_init": n_init,
            }
        ]
    )[SELECTION_COLUMNS]


def _k_metrics(x: np.ndarray, ks: list[int], random_state: int, n_init: int) -> pd.DataFrame:
    """Inertia and silhouette (fixed-seed sample: quadratic otherwise) for each k."""
    sample = min(SILHOUETTE_SAMPLE, x.shape[0])
    rows = []
    for k in ks:
        model = kmeans(x, k, random_state, n_init)
        with threadpool_limits(limits=1):
            silhouette = silhouette_score(
                x, model.labels_, sample_size=sample, random_state=random_state
            )
        rows.append({"k": k, "inertia": float(model.inertia_), "silhouette": float(silhouette)})
        log.info("categories k=%d %s", k, rows[-1])
    return pd.DataFrame(rows)


def category_k_selection(
    products: pd.DataFrame,
    forced_k: int | None = None,
    k_range: range | list[int] = K_RANGE,
    random_state: int = RANDOM_STATE,
    n_init: int = N_INIT,
) -> tuple[pd.DataFrame, ProductFeatures]:
    """Inertia and silhouette per k on the products' TF-IDF vectors, and the k chosen by the
    customers' rule (or forced); n_products counts the products clustered (with a term)."""
    features = product_features(products)
    x = features.x[features.has_terms]
    if forced_k is None and not _possible_ks(x, k_range, strict=False):
        return _one_category_table(x, k_range, random_state, n_init), features
    ks = _possible_ks(x, k_range)
    if forced_k is not None and forced_k not in ks:
        raise SegmentationError(f"forced k={forced_k} is outside the possible range {ks}")
    metrics = _k_metrics(features.z[features.has_terms], ks, random_state, n_init)
    if forced_k is None:
        choice = k_selection.choose_k(metrics)
    else:
        choice = k_selection.KChoice(
            int(forced_k), k_selection.elbow(metrics), f"k={int(forced_k)} forced"
        )
    log.info("product categories: %s", choice.reason)
    table = metrics.assign(
        is_elbow=metrics["k"].eq(choice.elbow_k if choice.elbow_k is not None else -1),
        is_chosen=metrics["k"].eq(choice.k),
        choice_reason=choice.reason,
        n_products=x.shape[0],
        random_state=random_state,
        n_init=n_init,
    )
    return table[SELECTION_COLUMNS], features


def ranked_terms(weights: np.ndarray, terms: np.ndarray, n: int) -> list[str]:
    """The n terms of highest positive weight (ties: alphabetical, the vocabulary's order)."""
    order = np.argsort(-weights, kind="stable")[:n]
    return [str(terms[i]) for i in order if weights[i] > 0]


def noun_phrase(terms: list[str]) -> str:
    """Terms as a name people read: "Cake, cases & stand" (the seed product_category_overrides
    names a category in the store's own words)."""
    if not terms:
        return ""
    words = [terms[0][:1].upper() + terms[0][1:], *terms[1:]]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} & {words[-1]}"


def _unique_name(ranked: list[str], taken: set[str]) -> str:
    """Top NAME_TERMS terms as a noun phrase; more terms (then a number) when another category
    has it."""
    for n in range(NAME_TERMS, max(len(ranked), NAME_TERMS) + 1):
        name = noun_phrase(ranked[:n])
        if name not in taken:
            return name
    number = 2
    while f"{name} ({number})" in taken:
        number += 1
    return f"{name} ({number})"


@dataclass(frozen=True)
class _Clusters:
    """Clustered categories in category_id order (1..k) and each product's category (0: none)."""

    names: list[str]
    top_terms: list[str]
    product_category: np.ndarray


def _cluster(features: ProductFeatures, k: int, random_state: int, n_init: int) -> _Clusters:
    """KMeans on the products with terms, categories numbered by descending revenue."""
    fitted = features.has_terms
    x = features.x[fitted]
    if k == 1:
        return _one_category(features)
    distinct = n_distinct_rows(x)
    if not 2 <= k <= distinct:
        raise SegmentationError(
            f"cannot make {k} categories from {distinct} distinct product descriptions"
        )
    model = kmeans(features.z[fitted], k, random_state, n_init)
    revenue = np.bincount(
        model.labels_, weights=features.products["revenue"].to_numpy()[fitted], minlength=k
    )
    # a centroid in the latent space, mapped back to term weights
    term_weights = model.cluster_centers_ @ features.components
    ranked = [ranked_terms(term_weights[c], features.terms, LISTED_TERMS) for c in range(k)]
    order = sorted(range(k), key=lambda c: (-round(float(revenue[c]), 6), ranked[c]))
    names: list[str] = []
    for c in order:
        names.append(_unique_name(ranked[c], set(names)))
    category_of_cluster = np.empty(k, dtype=np.int64)
    category_of_cluster[order] = np.arange(1, k + 1)
    product_category = np.zeros(len(fitted), dtype=np.int64)
    product_category[fitted] = category_of_cluster[model.labels_]
    log.info("product categories k=%d inertia=%.3f: %s", k, model.inertia_, names)
    return _Clusters(names, [", ".join(ranked[c]) for c in order], product_category)


def _one_category(features: ProductFeatures) -> _Clusters:
    """Every product with a shared term in category 1, named by the mean row's top terms; none
    when no product has one."""
    fitted = features.has_terms
    if not fitted.any():
        return _Clusters([], [], np.zeros(len(fitted), dtype=np.int64))
    mean = np.asarray(features.x[fitted].mean(axis=0)).ravel()
    ranked = ranked_terms(mean, features.terms, LISTED_TERMS)
    return _Clusters([_unique_name(ranked, set())], [", ".join(ranked)], fitted.astype(np.int64))


def validated_overrides(overrides: pd.DataFrame) -> pd.DataFrame:
    """Overrides in file order with match_type checked, values as text and terms cleaned."""
    missing = [c for c in OVERRIDE_COLUMNS if c not in overrides.columns]
    if missing:
        raise SegmentationError(f"overrides lack the columns {missing}")
    frame = overrides[list(OVERRIDE_COLUMNS)].reset_index(drop=True)
    if frame.isna().any().any():
        raise SegmentationError("overrides have a missing match_type, match_value or name")
    frame = frame.astype(str).apply(lambda column: column.str.strip())
    frame["match_type"] = frame["match_type"].str.lower()
    unknown = sorted(set(frame["match_type"]) - set(MATCH_TYPES))
    if unknown:
        raise SegmentationError(f"unknown override match_type {unknown}; use {list(MATCH_TYPES)}")
    if frame["category_name"].eq("").any():
        raise SegmentationError("an override has an empty category_name")
    is_term = frame["match_type"].eq("term")
    frame.loc[is_term, "match_value"] = [
        " ".join(clean_words(v)) for v in frame.loc[is_term, "match_value"]
    ]
    if frame["match_value"].eq("").any():
        raise SegmentationError("an override has no match_value (or a term without words)")
    return frame


def override_names(products: pd.DataFrame, overrides: pd.DataFrame) -> pd.Series:
    """Each product's override category name (None: not overridden). A term matches whole words
    of the description cleaned as clean_words does (stop words kept, so "jumbo bag" or "red
    retrospot" can be used); terms apply in file order (first match wins) and a product_id
    override wins over any term (first one in file order when an id is listed twice)."""
    names = pd.Series([None] * len(products), index=products.index, dtype=object)
    cleaned = pd.Series(
        [f" {' '.join(clean_words(d))} " for d in products["description"]], index=products.index
    )
    for row in overrides.loc[overrides["match_type"].eq("term")].itertuples():
        hits = names.isna() & cleaned.str.contains(f" {row.match_value} ", regex=False)
        names[hits] = row.category_name
        if not hits.any():
            log.warning("term override %r matches no product left", row.match_value)
    by_id = overrides.loc[overrides["match_type"].eq("product_id")].drop_duplicates("match_value")
    listed = dict(zip(by_id["match_value"], by_id["category_name"], strict=True))
    ids = products["product_id"]
    names[ids.isin(listed)] = ids[ids.isin(listed)].map(listed)
    unknown = sorted(set(listed) - set(ids))
    if unknown:
        log.warning("product_id overrides for unknown products: %s", unknown)
    return names


def categorise_products(
    products: pd.DataFrame,
    k: int,
    overrides: pd.DataFrame,
    random_state: int = RANDOM_STATE,
    n_init: int = N_INIT,
    features: ProductFeatures | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per product, one row per category): KMeans categories 1..k by descending
    revenue, then overrides; an override name equal to a clustered category's joins it, any
    other is a new category numbered after them (by descending revenue), UNCATEGORISED last.
    `features` (from category_k_selection on the same products) saves recomputing them."""
    if features is None:
        features = product_features(products)
    elif not features.products.equals(sorted_products(products)):
        raise SegmentationError("the features given were computed on other products")
    frame = features.products
    clusters = _cluster(features, k, random_state, n_init)
    clustered = pd.Series(
        [clusters.names[c - 1] if c else UNCATEGORISED for c in clusters.product_category],
        index=frame.index,
    )
    overridden = override_names(frame, validated_overrides(overrides))
    is_override = overridden.notna()
    name = overridden.where(is_override, clustered)
    revenue = frame["revenue"]

    ids = {n: i for i, n in enumerate(clusters.names, start=1)}
    others = revenue.groupby(name[~name.isin(ids)]).sum()
    others = sorted(
        others.items(), key=lambda kv: (kv[0] == UNCATEGORISED, -round(kv[1], 6), kv[0])
    )
    for other, _ in others:
        ids[other] = len(ids) + 1
    category_id = name.map(ids).astype(np.int64)

    product_rows = pd.DataFrame(
        {
            "product_id": frame["product_id"],
            "category_id": category_id,
            "category_name": name,
            "is_override": is_override.astype(bool),
        }
    )
    category_rows = _category_rows(features, ids, category_id, clusters)
    log.info(
        "product categories: %d products, %d categories, %d overridden",
        len(product_rows),
        len(category_rows),
        int(is_override.sum()),
    )
    return product_rows, category_rows


def _category_rows(
    features: ProductFeatures,
    ids: dict[str, int],
    category_id: pd.Series,
    clusters: _Clusters,
) -> pd.DataFrame:
    """One row per category: top terms (clustered: centroid; others: mean of members), size,
    revenue and share of revenue (NaN when the store's revenue is 0)."""
    revenue = features.products["revenue"]
    total = float(revenue.sum())
    k = len(clusters.names)
    rows = []
    for name, cid in ids.items():
        members = (category_id == cid).to_numpy()
        if cid <= k:
            top_terms = clusters.top_terms[cid - 1]
        else:
            mean = np.asarray(features.x[members].mean(axis=0)).ravel()
            top_terms = ", ".join(ranked_terms(mean, features.terms, LISTED_TERMS))
        category_revenue = float(revenue[members].sum())
        rows.append(
            {
                "category_id": cid,
                "category_name": name,
                "top_terms": top_terms,
                "n_products": int(members.sum()),
                "revenue": category_revenue,
                "share_of_revenue": category_revenue / total if total else float("nan"),
                "is_override_category": cid > k and name != UNCATEGORISED,
            }
        )
    return pd.DataFrame(rows).sort_values("category_id", kind="mergesort").reset_index(drop=True)
