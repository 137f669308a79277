"""The Hessian of a Bradley-Terry negative log-posterior in the scores, as a scipy.sparse matrix,
with the two things the fit asks of it: Newton steps and the diagonal of its inverse.

The score block is ``H = prior_precision * I + sum_m w_m (e_i - e_j)(e_i - e_j)^T``: a weighted
graph Laplacian of the comparison graph plus the prior. Its sparsity pattern (one entry per
compared pair of items) is found once; each Newton iteration only pours new weights into it.

Why the shift ``beta 1 1^T``: the likelihood depends on score differences only, so H's smallest
eigenvalue is the prior precision (1e-3 by default), along the all-ones vector, exactly. Solving
with ``H + beta 1 1^T`` (beta ~ the mean degree / K) moves that eigenvalue to the middle of the
spectrum, and the all-ones part is handled in closed form; the solves and the variances of the
centred scores stay accurate for any prior precision.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.linalg.lapack
import scipy.sparse as sp
import scipy.sparse.linalg as spla
SOLVE_DENSE_LIMIT = 300
"""Up to this many items a Newton step uses a dense Cholesky factor; above it, conjugate gradients with
a Jacobi preconditioner on the sparse matrix (each product costs one pass over the compared pairs)."""
VARIANCE_DENSE_LIMIT = 5000
"""Up to this many items the variances use a dense Cholesky factor (K^3 / 3 operations, ~200 MB at the
limit); above it a sparse LU factor solved against the unit vectors in blocks, which is quick when
the comparison graph has small separators (chains, clusters) and slow when it is well mixed (every
item compared with random others fills the factor in): there, ask for ``std_errors=False``."""


class ScoreHessian:
    """The sparsity pattern of H for comparisons (i, j) over ``n_items`` items."""

    def __init__(self, i: np.ndarray, j: np.ndarray, n_items: int, prior_precision: float):
        self.i, self.j, self.n, self.alpha = i, j, n_items, prior_precision
        n = n_items
        key = np.minimum(i, j) * n + np.maximum(i, j)
        if n * n <= max(16 * key.size, 1 << 20):  # a K x K table costs no more than the comparisons do
            seen = np.zeros(n * n, dtype=bool)
            seen[key] = True
            keys = np.flatnonzero(seen)
            rank = np.empty(n * n, dtype=np.int64)  # read only where seen (np.where below discards the rest)
            rank[keys] = np.arange(keys.size)
            self.pair_of, self.n_pairs = rank[key], keys.size
            table = seen.reshape(n, n)
            full = table | table.T
            full[np.diag_indices(n)] = True
            flat = np.flatnonzero(full)  # row-major: csr order
            rows, cols = np.divmod(flat, n)
            # entry (r, c) takes the weight of pair (r, c) or (c, r), or the diagonal's
            self._order = np.where(rows < cols, rank[flat], np.where(rows > cols, self.n_pairs + rank[cols * n + rows],
                                                                     2 * self.n_pairs + rows))
            self._indices = cols.astype(np.int32)
            self._indptr = np.concatenate([[0], np.cumsum(full.sum(axis=1))]).astype(np.int32)
        else:
            keys, self.pair_of = np.unique(key, return_inverse=True)
            self.n_pairs = keys.size
            a, b, diag = keys // n, keys % n, np.arange(n)
            rows, cols = np.concatenate([a, b, diag]), np.concatenate([b, a, diag])
            slot = np.arange(rows.size, dtype=np.float64)
            pattern = sp.csr_matrix((slot, (rows, cols)), shape=(n, n))
            self._order = pattern.data.astype(np.int64)  # where each csr entry comes from
            self._indices, self._indptr = pattern.indices, pattern.indptr

    def pattern(self) -> sp.csr_matrix:
        """The comparison graph: 1 where two items were compared (and on the diagonal)."""
        return sp.csr_matrix((np.ones(self._indices.size), self._indices, self._indptr), shape=(self.n, self.n))

    def matrix(self, weights: np.ndarray) -> sp.csr_matrix:
        """H for per-comparison weights w_m = -d^2 loglik_m / dd^2 (>= 0 for every tie model here)."""
        w_pair = np.bincount(self.pair_of, weights, minlength=self.n_pairs)
        degree = np.bincount(self.i, weights, minlength=self.n) + np.bincount(self.j, weights, minlength=self.n)
        values = np.concatenate([-w_pair, -w_pair, degree + self.alpha])[self._order]
        return sp.csr_matrix((values, self._indices, self._indptr), shape=(self.n, self.n))


class Factor:
    """Solves with H (the centred part by Cholesky or conjugate gradients, the all-ones part in closed
    form) and the variances of the centred scores."""

    def __init__(self, H: sp.csr_matrix, alpha: float):
        self.H, self.alpha, self.n = H, alpha, H.shape[0]
        self.diagonal = H.diagonal()
        self.beta = max(float(self.diagonal.mean()) - alpha, alpha) / self.n
        self._chol = None
        self.rtol = 1e-10
        """relative residual of the conjugate-gradient solves (the fit loosens it far from the optimum)"""

    def _cholesky(self):
        if self._chol is None:
            self._chol = scipy.linalg.cho_factor(self.H.toarray() + self.beta, lower=True, check_finite=False)
        return self._chol

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """H^{-1} rhs for one vector (K,) or several (K, r)."""
        mean = rhs.mean(axis=0)
        centred = rhs - mean
        if self.n <= SOLVE_DENSE_LIMIT:
            x = scipy.linalg.cho_solve(self._cholesky(), centred, check_finite=False)
        else:
            cols = centred.reshape(self.n, -1)
            x = np.column_stack([self._cg(c) for c in cols.T]).reshape(centred.shape)
        x = x - x.mean(axis=0)  # exact arithmetic keeps it centred; remove the rounding
        return x + mean / self.alpha

    def _cg(self, b: np.ndarray) -> np.ndarray:
        if not b.any():
            return np.zeros_like(b)
        H, beta = self.H, self.beta
        shifted = spla.LinearOperator((self.n, self.n), dtype=np.float64, matvec=lambda v: H @ v + beta * v.sum())
        preconditioner = sp.diags(1.0 / (self.diagonal + beta * self.n))
        x, info = spla.cg(shifted, b, rtol=self.rtol, atol=0.0, maxiter=10 * self.n, M=preconditioner)
        if info != 0:
            raise RuntimeError(f"conjugate gradients did not converge in {10 * self.n} iterations")
        return x

    def centred_inverse_diagonal(self, block: int = 256) -> np.ndarray:
        """diag(C H^{-1} C), C = I - 1 1^T / K: the variances of the centred scores."""
        if self.n <= VARIANCE_DENSE_LIMIT:
            lower = self._cholesky()[0]
            inv_lower, info = scipy.linalg.lapack.dtrtri(lower, lower=1)
            if info != 0:
                raise RuntimeError(f"inverting the Cholesky factor failed (LAPACK dtrtri info={info})")
            diag = np.einsum("ij,ij->j", np.tril(inv_lower), np.tril(inv_lower))
            return diag - 1.0 / (self.n * (self.alpha + self.beta * self.n))
        lu = spla.splu(self.H.tocsc())
        diag = np.empty(self.n)
        for start in range(0, self.n, block):
            stop = min(start + block, self.n)
            unit = np.zeros((self.n, stop - start))
            unit[np.arange(start, stop), np.arange(stop - start)] = 1.0
            diag[start:stop] = lu.solve(unit)[np.arange(start, stop), np.arange(stop - start)]
        return diag - 1.0 / (self.n * self.alpha)
