/* libpinn — multilayer perceptrons with forward Taylor jets and their adjoint.
 *
 * A network maps R^n_in -> R^n_out through hidden layers a = s(W a_prev + b)
 * and a linear output layer.  For a batch of input points it computes, for
 * every output, the value and the requested first and second derivatives with
 * respect to the inputs (a "jet"), propagated exactly in forward mode:
 *
 *   z = W a + b,  z_i = W a_i,  z_ij = W a_ij          (affine)
 *   a = s(z),     a_i = s'(z) z_i,
 *   a_ij = s''(z) z_i z_j + s'(z) z_ij                 (activation)
 *
 * and the reverse (adjoint) pass of the same formulas gives the gradient of
 * any loss built from the jets with respect to every parameter (weights,
 * biases, PReLU slopes).  See README "Design: jets" for the derivation.
 *
 * Parameters live in one contiguous block theta (pinn_mlp_params), layer by
 * layer: W_l (row-major, n_out x n_in) then b_l, and finally the PReLU slopes
 * (one per PReLU layer, or one per unit of each PReLU layer).  A gsl_vector
 * view wraps it without copying (pinn_mlp_params_view).
 */
#ifndef PINN_MLP_H
#define PINN_MLP_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <pinn/status.h>
#include <pinn/activation.h>

PINN_BEGIN_DECLS

/* Most inputs a network may have (space dimensions plus time). */
#define PINN_MAX_INPUTS 9
/* Most second-derivative pairs a jet may carry: all pairs of 9 inputs. */
#define PINN_MAX_PAIRS 45

/* Which derivatives a jet carries.  Channel 0 is the value; then one channel
 * per first derivative d/dx_i for each bit i set in `first` (increasing i);
 * then one channel per pair (i, j), i <= j, for d2/dx_i dx_j.  Every input
 * of a pair must also be in `first` (pinn_jet_spec_add_pair sees to it). */
typedef struct pinn_jet_spec {
  unsigned first;                            /* bitmask over inputs */
  size_t n_pairs;
  unsigned char pairs[PINN_MAX_PAIRS][2];    /* (i, j) with i <= j */
} pinn_jet_spec;

/* An empty spec (value only). */
pinn_jet_spec pinn_jet_spec_value(void);
/* Ask for d/dx_i. */
int pinn_jet_spec_add_first(pinn_jet_spec *s, unsigned i);
/* Ask for d2/dx_i dx_j (and d/dx_i, d/dx_j); duplicates are ignored. */
int pinn_jet_spec_add_pair(pinn_jet_spec *s, unsigned i, unsigned j);
/* Union of two specs into *dst (the pairs keep dst's order, new ones appended). */
int pinn_jet_spec_merge(pinn_jet_spec *dst, const pinn_jet_spec *src);
/* Number of channels: 1 + popcount(first) + n_pairs. */
size_t pinn_jet_spec_channels(const pinn_jet_spec *s);
/* Channel of d/dx_i, or -1 when not carried. */
int pinn_jet_spec_first_channel(const pinn_jet_spec *s, unsigned i);
/* Channel of d2/dx_i dx_j (either order), or -1 when not carried. */
int pinn_jet_spec_pair_channel(const pinn_jet_spec *s, unsigned i, unsigned j);
/* 1 when some second derivative is carried. */
int pinn_jet_spec_has_second(const pinn_jet_spec *s);

/* Most harmonics of one periodic input (and most fixed Fourier frequencies
 * of one non-periodic input). */
#define PINN_MAX_HARMONICS 16
/* Most random Fourier features (rows of pinn_embedding.fourier_B). */
#define PINN_MAX_FOURIER 256

/* Fourier features of the non-periodic inputs (Tancik et al., NeurIPS 2020;
 * Wang, Wang & Perdikaris, CMAME 384, 2021), on z, the input after the input
 * map (pinn_mlp_set_input_map: z in [-1, 1] over the domain; the raw input
 * without a map).  Every non-periodic input keeps z_i itself as a feature,
 * so the network can still represent whatever it could without them (zero
 * the new columns of W1) and imposes no periodicity; the features add:
 *   axis[i] = K >= 1:  cos(k pi z_i), sin(k pi z_i), k = 1..K, after z_i:
 *     the Fourier basis of the period 2 of [-1, 1] (wavelengths 2/k: the
 *     domain's length over k); with z_i beside it, u - (a linear trend) is
 *     what the harmonics fit, whose periodic extension is continuous;
 *   m >= 1 (random):  cos(2 pi b_r . z), sin(2 pi b_r . z), r = 1..m, after
 *     every input's own features, b_r row r of B (m x n_in, 0 in a periodic
 *     input's column), B_ri ~ N(0, sigma^2) (pinn_embedding_set_fourier).
 * Each feature is cos or sin of a phase linear in the inputs, so its jets
 * are exact in closed form (and its series in the Taylor engine, to any
 * order); cos and sin of a phase are computed once per point. */
typedef struct pinn_fourier {
  size_t m;                       /* random features: rows of B, 0..PINN_MAX_FOURIER (0: none) */
  double sigma;                   /* their scale (> 0 when m > 0) */
  unsigned long seed;             /* B's draw (pinn_embedding_set_fourier) */
  unsigned axis[PINN_MAX_INPUTS]; /* fixed features: K (0..PINN_MAX_HARMONICS) per input */
} pinn_fourier;

/* An input embedding: how the inputs enter the first layer.
 *
 * Exact periodicity (Dong & Ni, J. Comput. Phys. 435, 2021; the "periodic
 * embedding" of Wang et al.'s JAX-PI): an input i with period[i] = P > 0
 * enters the first layer as the 2 K features
 *   cos(k w x_i), sin(k w x_i),   w = 2 pi / P,  k = 1 .. K = harmonics[i]
 * (in that order, k by k) instead of as itself, so that the network, every
 * output and every derivative, is P-periodic in x_i for ANY parameters: a
 * periodic boundary condition holds exactly and needs no loss term.  The
 * other inputs (period 0) enter as themselves, through the input map
 * (pinn_mlp_set_input_map) when there is one, followed by their Fourier
 * features (fourier, above); a periodic input ignores the map (its features
 * have unit scale whatever the domain) and has no Fourier feature.  The
 * first layer's columns: input by input its own features, then the random
 * features' (cos, sin) pairs.  The first layer's weight matrix has one
 * column per feature (pinn_mlp_layer_size(net, 0) is the feature count); the
 * features' jets are exact (value, first and second derivatives in closed
 * form; in the Taylor engine, pinn/taylor.h, their series to any order) and
 * the adjoint is that of W1, b1.  All zero: no embedding. */
typedef struct pinn_embedding {
  double period[PINN_MAX_INPUTS];      /* > 0: periodic input; 0: the input itself */
  unsigned harmonics[PINN_MAX_INPUTS]; /* K for a periodic input, 1..PINN_MAX_HARMONICS */
  pinn_fourier fourier;                /* Fourier features of the other inputs */
  double fourier_B[PINN_MAX_FOURIER][PINN_MAX_INPUTS]; /* B: fourier.m rows */
} pinn_embedding;

/* Set e->fourier to *f and draw B (f->m rows, n_in columns) for the inputs
 * that e does not make periodic (set e->period first): B_ri = sigma N(0, 1)
 * from GSL's mt19937 seeded from f->seed (mixed, so B is not the stream a
 * network initialised with the same seed draws), row by row, 0 in a
 * periodic input's column and beyond n_in.  The same seed gives the same B
 * on every machine.  PINN_EINVAL, e unchanged, when m > PINN_MAX_FOURIER,
 * sigma is not finite > 0 with m > 0, a K exceeds PINN_MAX_HARMONICS or is
 * given for a periodic input or beyond n_in, or m > 0 with every input
 * periodic. */
int pinn_embedding_set_fourier(pinn_embedding *e, size_t n_in, const pinn_fourier *f,
                               pinn_error *err);
/* PINN_SUCCESS when e is a valid embedding of n_in inputs (what
 * pinn_mlp_alloc requires: periods finite >= 0 with 1..PINN_MAX_HARMONICS
 * harmonics where > 0; fixed Fourier frequencies 0..PINN_MAX_HARMONICS and
 * only on inputs that are not periodic; m <= PINN_MAX_FOURIER, and when m > 0
 * a finite sigma > 0, an input that is not periodic, and B's first m rows
 * finite with 0 in periodic inputs' columns); else PINN_EINVAL, saying which. */
int pinn_embedding_check(const pinn_embedding *e, size_t n_in, pinn_error *err);
/* 1 when e (may be NULL) embeds some input of the first n_in (periodic or
 * Fourier features), 0 when every input enters as itself. */
int pinn_embedding_any(const pinn_embedding *e, size_t n_in);
/* Number of first-layer features of n_in inputs under e (n_in for NULL). */
size_t pinn_embedding_features(const pinn_embedding *e, size_t n_in);
/* 1 when a and b embed the first n_in inputs alike (same periods and
 * harmonics, same Fourier features: K, m and B bit for bit). */
int pinn_embedding_equal(const pinn_embedding *a, const pinn_embedding *b, size_t n_in);

/* Shape of a network. */
typedef struct pinn_mlp_layout {
  size_t n_layers;              /* layers including input and output, >= 2 */
  const size_t *sizes;          /* n_layers widths: sizes[0] = n_in, last = n_out */
  const pinn_activation *act;   /* n_layers - 2 hidden activations; NULL = tanh */
  int prelu_per_unit;           /* PReLU: 0 = one slope per layer, 1 = per unit */
  const pinn_embedding *embed;  /* NULL (or nothing embedded): no embedding */
} pinn_mlp_layout;

typedef struct pinn_mlp pinn_mlp;

/* Weight initialisation (biases start at 0; PReLU slopes at their param). */
typedef enum pinn_init_kind {
  PINN_INIT_XAVIER = 0,  /* Glorot normal: var = 2 / (fan_in + fan_out) */
  PINN_INIT_HE,          /* var = 2 / fan_in */
  PINN_INIT_LECUN,       /* var = 1 / fan_in */
  PINN_INIT_VARIANCE     /* var = 1 / (fan_in E[s'(Z)^2]), Z ~ N(0,1) (pinn_activation_gain) */
} pinn_init_kind;

/* Name ("xavier", "he", "lecun", "variance") and parser. */
const char *pinn_init_name(pinn_init_kind kind);
int pinn_init_parse(const char *text, pinn_init_kind *out, pinn_error *err);

/* Allocate a network (parameters zeroed).  NULL on failure, with err filled. */
pinn_mlp *pinn_mlp_alloc(const pinn_mlp_layout *layout, pinn_error *err);
/* Free; NULL is a no-op. */
void pinn_mlp_free(pinn_mlp *net);
/* Deep copy (layout and parameters). */
pinn_mlp *pinn_mlp_clone(const pinn_mlp *net, pinn_error *err);

/* Message of the last failure on this handle ("" when none). */
const char *pinn_mlp_errmsg(const pinn_mlp *net);

/* Most OpenMP threads a network may be given. */
#define PINN_MAX_THREADS 1024
/* OpenMP threads of this network's parallel passes (pinn_mlp_loss_grad,
 * pinn_mlp_jacobian and what uses them): n = 0 (the default) takes OpenMP's
 * default at each call (omp_get_max_threads()), 1..PINN_MAX_THREADS that many.
 * Per network, never process-wide: two networks may train at the same time in
 * two threads of one program with different counts.  Results are bitwise the
 * same for any count.  PINN_EINVAL outside 0..PINN_MAX_THREADS.  A clone
 * keeps the setting. */
int pinn_mlp_set_threads(pinn_mlp *net, int n);
int pinn_mlp_threads(const pinn_mlp *net);

/* Input normalisation: a fixed affine map in front of the first layer,
 *   x'_i = (x_i - c_i) s_i,  c_i = (lo_i + hi_i) / 2,  s_i = 2 / (hi_i - lo_i),
 * which takes the box [lo, hi] to [-1, 1]^n_in, so that an initialisation
 * scaled for unit inputs sees unit inputs whatever the domain (t in [0, 5],
 * x in [0, 1e-3]).  It is part of the network, not of its parameters: every
 * pass (values, jets, their adjoint, Jacobians, preactivations) applies it,
 * exactly in the jets (a derivative of order k along input i gains s_i^k
 * through the first layer's tangents), and the parameter gradient is that of
 * W, b in the mapped coordinates.  lo = hi = NULL removes the map (the
 * default: the identity, bitwise the network without one).  PINN_EINVAL
 * unless every lo_i < hi_i is finite with a finite s_i; nothing changes then.
 * A clone and a saved model (pinn/model.h) keep the map. */
int pinn_mlp_set_input_map(pinn_mlp *net, const double *lo, const double *hi);
/* 1 and lo, hi (n_in entries each, may be NULL) filled when the network has
 * an input map; 0 (lo, hi untouched) when it has none. */
int pinn_mlp_input_map(const pinn_mlp *net, double *lo, double *hi);

/* 1 and *out (may be NULL) filled when the network has an embedding
 * (periodic inputs, Fourier features); 0 (out untouched) otherwise. */
int pinn_mlp_embedding(const pinn_mlp *net, pinn_embedding *out);

size_t pinn_mlp_n_in(const pinn_mlp *net);
size_t pinn_mlp_n_out(const pinn_mlp *net);
size_t pinn_mlp_n_layers(const pinn_mlp *net);             /* including input and output */
/* Width of layer l; for l = 0 the first layer's fan-in: n_in, or the
 * embedding's feature count. */
size_t pinn_mlp_layer_size(const pinn_mlp *net, size_t l);
/* Activation of hidden layer l (1 <= l <= n_layers - 2). */
pinn_activation pinn_mlp_activation(const pinn_mlp *net, size_t l);
int pinn_mlp_prelu_per_unit(const pinn_mlp *net);

/* The parameter block and its length; the view does not copy. */
size_t pinn_mlp_n_params(const pinn_mlp *net);
double *pinn_mlp_params(pinn_mlp *net);
const double *pinn_mlp_params_const(const pinn_mlp *net);
gsl_vector_view pinn_mlp_params_view(pinn_mlp *net);
/* Offsets into theta: W of layer l (1..n_layers-1), b of layer l, and the
 * PReLU slopes of hidden layer l (-1 cast to size_t when the layer has none). */
size_t pinn_mlp_weight_offset(const pinn_mlp *net, size_t l);
size_t pinn_mlp_bias_offset(const pinn_mlp *net, size_t l);
size_t pinn_mlp_slope_offset(const pinn_mlp *net, size_t l);

/* 1 when every hidden activation is piecewise linear (ReLU family or
 * identity): then all second derivatives of the outputs vanish almost
 * everywhere, and a second-order residual carries no signal. */
int pinn_mlp_is_piecewise_linear(const pinn_mlp *net);

/* Initialise the parameters, drawing from r (seeded by the caller).
 * PINN_INIT_VARIANCE takes E[s'(Z)^2] from pinn_activation_gain and fails
 * with its status (e.g. PINN_ENONFINITE for a PReLU slope above ~1e154). */
int pinn_mlp_init(pinn_mlp *net, pinn_init_kind kind, gsl_rng *r);

/* Values only: out[p * n_out + k] for n points x[p * n_in + i]. */
int pinn_mlp_eval(pinn_mlp *net, size_t n, const double *x, double *out);

/* Jets of the outputs at n points x[p * n_in + i]:
 * jets[(p * n_out + k) * C + c], C = pinn_jet_spec_channels(spec). */
int pinn_mlp_jets(pinn_mlp *net, const pinn_jet_spec *spec, size_t n, const double *x,
                  double *jets);

/* The fused forward-adjoint pass that a loss uses.  Points are processed in
 * blocks of at most PINN_BLOCK; for each block the network's jets are
 * computed and handed to `fn`, which adds its contributions to the n_acc
 * accumulators acc[] (e.g. the loss of each term) and writes the loss's
 * sensitivity to each jet entry into jets_bar; the adjoint pass then adds
 * that block's parameter gradient.  Inside a block the layout is
 * structure-of-arrays with stride ld (>= nb):
 *   jets[(k * C + c) * ld + q],  q = 0 .. nb-1 the points p0 .. p0+nb-1.
 * jets_bar has the same layout and is zero on entry; entries q >= nb must
 * stay zero.  fn returns 0, or nonzero to stop the pass: a value >= 100 is
 * passed through as the status (a PINN_ code), anything else becomes
 * PINN_ECALLBACK.
 */
#define PINN_BLOCK 32
typedef int (*pinn_jet_seed_fn)(size_t p0, size_t nb, size_t ld, const double *jets,
                                double *jets_bar, double *acc, void *ctx);

/* acc_out[0..n_acc-1] receives the sums of what fn added; when grad is not
 * NULL the gradient with respect to theta of sum(acc weighted as fn seeded
 * it) is ADDED to grad (length pinn_mlp_n_params).  OpenMP over blocks; the
 * blocks are grouped in chunks whose number depends on n alone and the
 * chunks' partial sums are added in a fixed order, so results are bitwise
 * identical for any number of threads.  fn is called concurrently from
 * several threads on different blocks (it must only write its arguments). */
int pinn_mlp_loss_grad(pinn_mlp *net, const pinn_jet_spec *spec, size_t n, const double *x,
                       pinn_jet_seed_fn fn, void *ctx, size_t n_acc, double *acc_out,
                       double *grad);

/* Per-point parameter gradients (Jacobian rows), e.g. for Gauss-Newton:
 * for every block of points the jets are computed once, then for each row
 * r < n_rows fn writes, for every point q < nb of the block, the row's
 * sensitivity to that point's jets into jets_bar (same layout as in
 * pinn_jet_seed_fn, zero on entry); the adjoint then writes the parameter
 * gradient of that point's row into J[((p0 + q) * n_rows + r) * ldJ + j],
 * j < pinn_mlp_n_params (columns from n_params to ldJ are left alone).  No
 * reduction over points: rows are disjoint, results do not depend on the
 * thread count. */
typedef int (*pinn_jet_row_fn)(size_t p0, size_t nb, size_t ld, const double *jets, size_t row,
                               double *jets_bar, void *ctx);
int pinn_mlp_jacobian(pinn_mlp *net, const pinn_jet_spec *spec, size_t n, const double *x,
                      size_t n_rows, pinn_jet_row_fn fn, void *ctx, double *J, size_t ldJ);

/* Pre-activations z = W a + b of hidden layer l (1 <= l <= n_layers - 2) at
 * n points: z[p * H_l + u].  For diagnostics (dead units, slopes). */
int pinn_mlp_preactivations(pinn_mlp *net, size_t l, size_t n, const double *x, double *z);

/* Adjoint of pinn_mlp_jets: given jets_bar (same layout as jets), ADD
 * sum_{p,k,c} jets_bar * d jets / d theta to grad. */
int pinn_mlp_jets_adjoint(pinn_mlp *net, const pinn_jet_spec *spec, size_t n, const double *x,
                          const double *jets_bar, double *grad);

PINN_END_DECLS
#endif
