/* libpinn — saving and loading trained networks (HDF5, through pinn/h5io.h).
 *
 * A network is stored in one HDF5 group (by default "/model", in a solve
 * file or a checkpoint), enough to rebuild it bit for bit:
 *
 *   attributes of the group
 *     format           "libpinn-mlp"
 *     format_version   int64: 1, 2 when the network has an input map, 3 when
 *                      it has a periodic embedding, 4 when it has Fourier
 *                      features (so that an older reader refuses it rather
 *                      than evaluate another function)
 *     libpinn_version  version that wrote it (information only)
 *     n_layers         int64, layers including input and output (2..64)
 *     n_in, n_out      int64, widths of the first and last layer
 *     n_params         int64, length of theta
 *     activations      string, the hidden layers' activations, comma-separated,
 *                      each as pinn_activation_format writes it ("tanh",
 *                      "softplus:2", "prelu:0.25"); "" when there is no
 *                      hidden layer
 *     prelu_per_unit   int64, 0 (one PReLU slope per layer) or 1 (per unit)
 *     output_transform "none", or "problem" when the network's outputs pass
 *                      through its problem's output transform (hard
 *                      constraints: the problem's own code, so the file alone
 *                      is not the solution; pinn_model_load refuses it,
 *                      pinn_model_load_network loads the bare network)
 *     inputs           string, input names, comma-separated ("x,t")
 *     outputs          string, output names, comma-separated ("u")
 *     problem          string, the problem's name ("" when saved without one)
 *     space_dim, has_time  int64 (0, 0 when saved without a problem)
 *     input_lo, input_hi   float64[n_in], the bounding box of the problem's
 *                      domain, time last (only when saved with a problem)
 *     input_map_lo, input_map_hi  float64[n_in], the network's input map
 *                      (pinn_mlp_set_input_map; version 2, only when it has one)
 *     periodic_period, periodic_harmonics  float64[n_in], the periodic
 *                      embedding (pinn_embedding: period 0 and 0 harmonics
 *                      for an input that is not periodic; version 3, only
 *                      when the network has a periodic input)
 *     fourier_axis     float64[n_in], fixed Fourier frequencies per input
 *     fourier_m, fourier_seed  int64, random Fourier features and B's seed
 *     fourier_sigma    float64, B's scale (pinn_fourier; version 4, these
 *                      four only when the network has Fourier features)
 *   datasets
 *     sizes            int64 [n_layers], the layer widths (sizes[0] = n_in:
 *                      the first weight matrix has one column per feature)
 *     theta            float64 [n_params], pinn_mlp_params in its order
 *     fourier_B        float64 [fourier_m][n_in], the random features'
 *                      matrix B (pinn_embedding.B; only when fourier_m > 0)
 *
 * Reading checks everything: the format name and version, every size against
 * the limits of pinn_mlp_alloc, the activation names and parameters, the
 * number of parameters of the rebuilt layout against theta's length (before
 * anything large is allocated), finite parameters, and consistent names and
 * bounds.  A missing, truncated, corrupt or foreign file gives PINN_EIO,
 * PINN_EFORMAT or PINN_EUNSUPPORTED with a message naming the file and what
 * is wrong; it never crashes (tests/fuzz_model.c fuzzes pinn_model_load).
 */
#ifndef PINN_MODEL_H
#define PINN_MODEL_H

#include <stddef.h>
#include <pinn/status.h>
#include <pinn/h5io.h>
#include <pinn/mlp.h>
#include <pinn/problem.h>

PINN_BEGIN_DECLS

/* Version of the layout above written by this library; files with a larger
 * version are refused (PINN_EUNSUPPORTED). */
#define PINN_MODEL_FORMAT_VERSION 4
/* Default group of a network in solve files and checkpoints. */
#define PINN_MODEL_GROUP "/model"
/* Largest theta a reader accepts (2^24 parameters, 128 MiB). */
#define PINN_MODEL_MAX_PARAMS ((size_t)1 << 24)

/* What a stored network says about itself besides its weights. */
typedef struct pinn_model_meta {
  int format_version;
  char libpinn_version[32];
  char problem[64];                 /* "" when saved without a problem */
  int problem_transform;            /* 1: apply the problem's output transforms
                                       (pinn_problem_transform) to the outputs */
  size_t n_in, n_out, n_layers, n_params;
  size_t space_dim;                 /* 0 when saved without a problem */
  int has_time;
  int has_bounds;                   /* 1 when lo/hi hold the domain's bounding box */
  double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS]; /* n_in entries, time last */
  int has_input_map;                /* 1: the network maps map_lo/map_hi to [-1, 1] */
  double map_lo[PINN_MAX_INPUTS], map_hi[PINN_MAX_INPUTS];
  int has_embedding;                /* 1: periodic inputs (pinn_embedding, format 3)
                                       or Fourier features (format 4) */
  pinn_embedding embedding;         /* all 0 when has_embedding is 0 */
  char inputs[PINN_MAX_INPUTS][16]; /* input names: "x", "y", "z", "t" or "x0".. */
  char outputs[PINN_MAX_OUTPUTS][32]; /* output names (first PINN_MAX_OUTPUTS) */
  char activations[512];            /* as stored, comma-separated */
} pinn_model_meta;

/* Write net into group (NULL = PINN_MODEL_GROUP; created) of an open writer.
 * p (may be NULL) supplies the input/output names and domain bounds; its
 * dimensions must match the network.  Returns 0 or the writer's status
 * (message in err and on the writer).  The network is not changed. */
int pinn_model_write(pinn_h5_writer *w, const char *group, const pinn_mlp *net,
                     const pinn_problem *p, pinn_error *err);

/* Rebuild the network stored in group (NULL = PINN_MODEL_GROUP) of an open
 * reader.  Returns a new network (caller frees with pinn_mlp_free), or NULL
 * with err filled: PINN_EFORMAT (missing or inconsistent data),
 * PINN_EUNSUPPORTED (a newer format version or an output transform this
 * library cannot rebuild), PINN_ENOMEM. */
pinn_mlp *pinn_model_read(pinn_h5_reader *r, const char *group, pinn_error *err);

/* Read and validate the metadata of the network in group (NULL = default)
 * into *meta (without loading theta).  Returns 0 or a status as
 * pinn_model_read. */
int pinn_model_read_meta(pinn_h5_reader *r, const char *group, pinn_model_meta *meta,
                         pinn_error *err);

/* Save net alone into a new file at path (atomically, as pinn_h5_commit), in
 * PINN_MODEL_GROUP.  p may be NULL.  Returns 0 or a status with err filled;
 * on failure nothing is left at path. */
int pinn_model_save(const char *path, const pinn_mlp *net, const pinn_problem *p,
                    pinn_error *err);

/* Open path (a solve file, a checkpoint or a pinn_model_save file) and
 * rebuild the network in its PINN_MODEL_GROUP.  NULL with err filled on any
 * failure (PINN_EIO: cannot open; PINN_EFORMAT: not HDF5, truncated,
 * corrupt, or no valid /model). */
pinn_mlp *pinn_model_load(const char *path, pinn_error *err);

/* As pinn_model_load, also filling *meta (may be NULL). */
pinn_mlp *pinn_model_load_meta(const char *path, pinn_model_meta *meta, pinn_error *err);

/* As pinn_model_load_meta, also for a network whose outputs pass through
 * its problem's output transform (meta->problem_transform = 1): the bare
 * network, to which the caller applies the re-created problem's transforms
 * (pinn_transform_jets with pinn_problem_transform(p, k), as pinn eval
 * does). */
pinn_mlp *pinn_model_load_network(const char *path, pinn_model_meta *meta, pinn_error *err);

PINN_END_DECLS
#endif
