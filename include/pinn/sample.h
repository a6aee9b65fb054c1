/* libpinn — point sequences in the unit cube [0,1)^dim (training points).
 *
 * A pinn_sampler is a stateful stream of points u in [0,1)^dim, written
 * row-major (n x dim).  Each pinn_sampler_fill continues the stream where the
 * previous call stopped, so the same kind, dim, seed and sequence of calls
 * always give bitwise the same points.  Kinds:
 *
 *   GRID     regular cell-centred tensor grid: for a request of n points the
 *            largest grid m^dim <= n, m = floor(n^(1/dim)), with coordinates
 *            (i + 1/2) / m, coordinate 0 varying fastest.  Cell-centred
 *            so no point lies on the cube's faces.  Stateless: every fill with the same n gives the same
 *            grid; the seed is ignored.  pinn_sampler_count says how many
 *            points a fill writes (<= n, so an n-row buffer always suffices).
 *   UNIFORM  independent uniforms from GSL's gsl_rng_mt19937 (Matsumoto &
 *            Nishimura 1998) seeded with `seed` (GSL convention: seed 0 is
 *            GSL's default seed 4357).  Values are drawn row by row.
 *   LHS      Latin hypercube (McKay, Beckman & Conover 1979): each fill of n
 *            points is one design, so for every coordinate the n strata
 *            [k/n, (k+1)/n) each hold exactly one point.  For each coordinate
 *            in turn: gsl_ran_shuffle of 0..n-1, then one uniform per point
 *            for the position inside its stratum.  Same rng as UNIFORM.
 *   SOBOL    GSL's gsl_qrng_sobol (Bratley & Fox 1988, Antonov & Saleev
 *            1980), dim <= 40.  GSL's stream starts at index 1
 *            (0.5, ..., 0.5): the origin is never produced, and libpinn skips
 *            nothing further, so the points equal gsl_qrng_get's exactly.
 *            The seed is ignored; the stream ends after 2^30 - 1 points.
 *   HALTON   GSL's gsl_qrng_halton (Halton 1960), dim <= 1229, also exactly
 *            gsl_qrng_get's output; the seed is ignored.
 *
 * Checkpoints: pinn_sampler_state_save writes a small header (kind, dim) and
 * the GSL generator state (gsl_rng_state / gsl_qrng_state), so a restored
 * sampler continues the stream bitwise.  The bytes are in this machine's
 * native layout (as GSL's own state): not portable across architectures.
 *
 * Also pinn_sample_top_k, the selection step of residual-based adaptive
 * refinement (Lu et al. 2021, "DeepXDE", RAR): the indices of the k largest
 * scores.
 */
#ifndef PINN_SAMPLE_H
#define PINN_SAMPLE_H

#include <stddef.h>
#include <pinn/status.h>

PINN_BEGIN_DECLS

/* The kinds of unit-cube sequence (see the file comment). */
typedef enum pinn_sampler_kind {
  PINN_SAMPLER_GRID = 0,
  PINN_SAMPLER_UNIFORM = 1,
  PINN_SAMPLER_LHS = 2,
  PINN_SAMPLER_SOBOL = 3,
  PINN_SAMPLER_HALTON = 4
} pinn_sampler_kind;

/* A stateful unit-cube point stream (opaque handle). */
typedef struct pinn_sampler pinn_sampler;

/* Name of a kind: "grid", "uniform", "lhs", "sobol", "halton"; "unknown" for
 * a value outside the enum (static storage, never NULL). */
const char *pinn_sampler_kind_name(pinn_sampler_kind kind);

/* Parse a kind name (case-insensitive; "random" is accepted for uniform)
 * into *kind.  Returns 0, or PINN_EINVAL for an unknown name (kind untouched)
 * with err (may be NULL) naming the accepted names. */
int pinn_sampler_kind_parse(const char *name, pinn_sampler_kind *kind, pinn_error *err);

/* Largest dim a kind accepts: 40 for SOBOL, 1229 for HALTON (GSL's limits),
 * (size_t)-1 for the others. */
size_t pinn_sampler_max_dim(pinn_sampler_kind kind);

/* Allocate a sampler of points in [0,1)^dim.  dim >= 1.  Returns NULL and
 * fills err (if not NULL) on failure: PINN_EINVAL (bad kind, dim 0),
 * PINN_EUNSUPPORTED (dim above the kind's limit), PINN_ENOMEM.  The caller
 * owns the handle; release it with pinn_sampler_free. */
pinn_sampler *pinn_sampler_alloc(pinn_sampler_kind kind, size_t dim, unsigned long seed,
                                 pinn_error *err);

/* Release a sampler.  NULL is a no-op. */
void pinn_sampler_free(pinn_sampler *s);

/* The kind a sampler was allocated with. */
pinn_sampler_kind pinn_sampler_get_kind(const pinn_sampler *s);

/* The dimension of the points a sampler writes. */
size_t pinn_sampler_dim(const pinn_sampler *s);

/* Number of points pinn_sampler_fill(s, n, u) writes: n for every kind but
 * GRID, whose count is the largest m^dim <= n (never more than n). */
size_t pinn_sampler_count(const pinn_sampler *s, size_t n);

/* Write the next pinn_sampler_count(s, n) points into u (row-major,
 * count x dim; u has room for n x dim), every coordinate in [0,1), and
 * advance the stream.  n = 0 writes nothing.  Returns 0, PINN_EINVAL (u NULL),
 * PINN_ENOMEM (LHS workspace) or PINN_EFAILED (Sobol stream exhausted); the
 * message is kept (pinn_sampler_errmsg). */
int pinn_sampler_fill(pinn_sampler *s, size_t n, double *u);

/* Restart the stream as if the sampler had just been allocated. */
void pinn_sampler_reset(pinn_sampler *s);

/* Message of the last failure on this handle ("" if none; owned by s). */
const char *pinn_sampler_errmsg(const pinn_sampler *s);

/* Bytes needed by pinn_sampler_state_save for this sampler. */
size_t pinn_sampler_state_size(const pinn_sampler *s);

/* Copy the stream position into buf (size bytes, >= pinn_sampler_state_size).
 * Returns 0 or PINN_EINVAL (buffer too small or NULL) with err (may be NULL)
 * saying so. */
int pinn_sampler_state_save(const pinn_sampler *s, void *buf, size_t size, pinn_error *err);

/* Restore a position saved by pinn_sampler_state_save from a sampler of the
 * same kind and dim (the seed may differ: the saved state wins).  Returns 0,
 * or PINN_EFORMAT (not a sampler state, other kind or dim, wrong size) with
 * the sampler's position unchanged and the message in err (may be NULL) and
 * on the sampler (pinn_sampler_errmsg). */
int pinn_sampler_state_load(pinn_sampler *s, const void *buf, size_t size, pinn_error *err);

/* Indices of the k largest of score[0..n-1], largest first; equal scores are
 * ordered (and, at the cut, chosen) by lower index, so the result is fully
 * deterministic.  idx has room for k entries.  O(n log k) with a binary heap.
 * Returns 0, PINN_EINVAL (k > n, or a NULL array with n, k > 0) or
 * PINN_ENONFINITE (a NaN score). */
int pinn_sample_top_k(size_t n, const double *score, size_t k, size_t *idx);

PINN_END_DECLS
#endif
