/* libpinn internal — the fixed reduction tree: sums over points whose bits
 * do not depend on how the points are split among threads or processes.
 *
 * The n points of a pass are cut into nblocks blocks of PINN_BLOCK; the
 * blocks are spread over L = pinn_reduce_leaves_(nblocks) leaves, the
 * largest power of two <= PINN_REDUCE_LEAVES with at least
 * PINN_REDUCE_LEAF_BLOCKS blocks per leaf (1 for tiny passes: L depends on
 * the pass's size alone, never on who computes it).  Leaf c holds blocks
 * [c nblocks / L, (c + 1) nblocks / L); its vector is the sum of its
 * blocks' contributions in block order, and the total is the sum over the
 * complete binary tree on the leaves, each inner node = left + right.  (A
 * leaf of several blocks keeps the vectors few: one per leaf costs a clear
 * and an addition of the whole gradient, 5-7% of a pass when every leaf is
 * a single block.)
 *
 * A worker that owns the contiguous leaves [a, b) computes the maximal
 * aligned subtrees inside [a, b) (a "node list", at most 2 log2(LEAVES)
 * nodes, usually one or two); any partition of [0, LEAVES) into contiguous
 * ranges gives node lists whose concatenation, combined by
 * pinn_reduce_combine_, is the same tree, hence the same bits.  Threads use
 * it inside a pass (work items of PINN_REDUCE_ITEM_LEAVES aligned leaves,
 * dynamically scheduled), processes across a team (pinn/team.h: each rank
 * owns LEAVES / size leaves and the node lists are all-gathered).
 *
 * Not installed. */
#ifndef PINN_REDUCE_IMPL_H
#define PINN_REDUCE_IMPL_H

#include <stddef.h>

/* Most leaves of a tree (a power of two; also the most ranks a pass can be
 * spread over), fewest blocks per leaf, and work items a pass is cut into
 * for its threads (aligned groups of leaves). */
#define PINN_REDUCE_LEAVES ((size_t)1024)
#define PINN_REDUCE_LEAF_BLOCKS ((size_t)8)
#define PINN_REDUCE_ITEMS ((size_t)32)
#define PINN_REDUCE_LEVELS 10 /* log2(PINN_REDUCE_LEAVES) */

/* A node of the tree: level (0 = leaf), index within its level, and its
 * vector (NULL: an empty subtree).  Vectors are owned by the list. */
typedef struct pinn_reduce_node_ {
  unsigned level;
  size_t index;
  double *v;
} pinn_reduce_node_;

/* An ordered list of nodes covering a contiguous range of leaves, vectors
 * of len doubles. */
typedef struct pinn_reduce_list_ {
  size_t len;
  size_t leaves; /* of the tree (a power of two) */
  size_t n, cap;
  pinn_reduce_node_ *node;
  /* vectors freed by merges, kept for pinn_reduce_take_ (still hot in the
   * cache: a pass makes one per leaf) */
  double *pool[PINN_REDUCE_LEVELS + 2];
  size_t npool;
} pinn_reduce_list_;

/* The leaves L of a pass of nblocks blocks (see above). */
size_t pinn_reduce_leaves_(size_t nblocks);

/* Blocks [*b0, *b1) of leaf c of L for nblocks blocks. */
void pinn_reduce_leaf_blocks_(size_t nblocks, size_t leaves, size_t c, size_t *b0, size_t *b1);

/* Leaves [*a, *b) of rank r of size out of L (contiguous, in rank order;
 * empty for ranks beyond L). */
void pinn_reduce_share_(size_t r, size_t size, size_t leaves, size_t *a, size_t *b);

/* An empty list of vectors of len doubles over a tree of `leaves` leaves. */
void pinn_reduce_list_init_(pinn_reduce_list_ *l, size_t len, size_t leaves);
void pinn_reduce_list_free_(pinn_reduce_list_ *l);

/* A zeroed vector of len doubles for a leaf of l (from its pool, else
 * calloc); NULL when out of memory. */
double *pinn_reduce_take_(pinn_reduce_list_ *l);

/* Append node (level, index, v) and merge completed siblings (the list
 * takes v, which may be NULL; merged-away vectors go to the pool).  0 or
 * PINN_ENOMEM (v is freed then). */
int pinn_reduce_push_(pinn_reduce_list_ *l, unsigned level, size_t index, double *v);

/* Append every node of src (in order; src is emptied, its vectors move). */
int pinn_reduce_append_(pinn_reduce_list_ *dst, pinn_reduce_list_ *src);

/* The root of a list covering every leaf: its vector added to out (len
 * doubles; nothing added for an empty tree).  PINN_EINVAL when the list is
 * not one complete tree. */
int pinn_reduce_root_(const pinn_reduce_list_ *l, double *out);

/* Wire form of a list: count doubles (header + vectors) written by pack
 * into buf (NULL: size only). */
size_t pinn_reduce_pack_(const pinn_reduce_list_ *l, double *buf);
/* Append the nodes of a packed list of count doubles to l (same len and
 * leaves);
 * PINN_EINVAL when the data is not a packed list, PINN_ENOMEM. */
int pinn_reduce_unpack_(pinn_reduce_list_ *l, const double *buf, size_t count);

/* The total of a whole pass's list (freed here): acc_out[a] = root[a] for
 * a < n_acc and, when grad is not NULL, grad[j] += root[n_acc + j].  0, or
 * PINN_ENOMEM, or PINN_EINVAL when the list is not one complete tree. */
int pinn_reduce_total_(pinn_reduce_list_ *l, size_t n_acc, double *acc_out, double *grad);

/* ---- the driver of a pass: blocks, work items, threads, node list ------ */

/* What an engine supplies: a per-thread workspace and the contribution of
 * one block.  alloc returns a workspace (NULL: out of memory), release frees
 * it; block ADDS block b's contribution to v (len doubles) and returns 0 or
 * a nonzero status (>= 100 passes through, anything else becomes
 * PINN_ECALLBACK). */
typedef struct pinn_reduce_pass_ops_ {
  void *(*alloc)(void *ctx);
  void (*release)(void *ws);
  int (*block)(void *ws, size_t b, double *v, void *ctx);
} pinn_reduce_pass_ops_;

/* How a pass ended besides its status. */
typedef struct pinn_reduce_pass_fail_ {
  int status;       /* 0, PINN_ENOMEM, or the first failing block's status */
  size_t block;     /* that block; SIZE_MAX when the pass ran out of memory */
  int no_workspace; /* a workspace could not be allocated */
} pinn_reduce_pass_fail_;

/* The blocks of the leaves of rank `rank` of `size` (pinn_reduce_share_),
 * OpenMP over aligned work items of leaves with `threads` threads (>= 1;
 * one when there are fewer than 4 blocks or 2 items), into *out: the node
 * list of vectors of len doubles over the pass's tree (empty for an empty
 * share; freed on failure).  Returns 0 or a status with *fail filled (the
 * lowest failing item's first failing block).  Every engine's loss pass is
 * this driver, so the bits of a sum depend on the points alone. */
int pinn_reduce_pass_(size_t nblocks, size_t rank, size_t size, size_t len, int threads,
                      const pinn_reduce_pass_ops_ *ops, void *ctx, pinn_reduce_list_ *out,
                      pinn_reduce_pass_fail_ *fail);

#endif
