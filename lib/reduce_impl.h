/* libpinn internal — the fixed reduction tree: sums over points whose bits
 * do not depend on how the points are split among threads or processes.
 *
 * The n points of a pass are cut into blocks of PINN_BLOCK; the blocks are
 * spread over PINN_REDUCE_LEAVES leaves (leaf c holds blocks
 * [c nblocks / LEAVES, (c + 1) nblocks / LEAVES), so with fewer blocks than
 * leaves most leaves are empty); a leaf's vector is the sum of its blocks'
 * contributions in block order, and the total is the sum over the complete
 * binary tree on the leaves, each inner node = left + right, an empty
 * subtree contributing nothing (no addition, so no -0 + 0 either).
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

/* Leaves of the tree (a power of two; also the most ranks x work items a
 * pass can be spread over) and leaves per work item of a pass. */
#define PINN_REDUCE_LEAVES ((size_t)1024)
#define PINN_REDUCE_ITEM_LEAVES ((size_t)32)
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
  size_t n, cap;
  pinn_reduce_node_ *node;
  /* vectors freed by merges, kept for pinn_reduce_take_ (still hot in the
   * cache: a pass makes one per leaf) */
  double *pool[PINN_REDUCE_LEVELS + 2];
  size_t npool;
} pinn_reduce_list_;

/* Blocks [*b0, *b1) of leaf c for nblocks blocks. */
void pinn_reduce_leaf_blocks_(size_t nblocks, size_t c, size_t *b0, size_t *b1);

/* Leaves [*a, *b) of worker r of size (contiguous, in rank order). */
void pinn_reduce_share_(size_t r, size_t size, size_t *a, size_t *b);

void pinn_reduce_list_init_(pinn_reduce_list_ *l, size_t len);
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
/* Append the nodes of a packed list of count doubles to l (same len);
 * PINN_EINVAL when the data is not a packed list, PINN_ENOMEM. */
int pinn_reduce_unpack_(pinn_reduce_list_ *l, const double *buf, size_t count);

#endif
