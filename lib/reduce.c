/* libpinn — the fixed reduction tree (see lib/reduce_impl.h). */
#include "reduce_impl.h"

#include <pinn/status.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t pinn_reduce_leaves_(size_t nblocks)
{
  size_t L = 1;
  while (2 * L <= PINN_REDUCE_LEAVES && 2 * L * PINN_REDUCE_LEAF_BLOCKS <= nblocks) L *= 2;
  return L;
}

void pinn_reduce_leaf_blocks_(size_t nblocks, size_t leaves, size_t c, size_t *b0, size_t *b1)
{
  /* nblocks * c fits: nblocks <= SIZE_MAX / LEAVES for any pass that fits
   * in memory (a block is 32 points of at least one double) */
  *b0 = nblocks * c / leaves;
  *b1 = nblocks * (c + 1) / leaves;
}

void pinn_reduce_share_(size_t r, size_t size, size_t leaves, size_t *a, size_t *b)
{
  *a = leaves * r / size;
  *b = leaves * (r + 1) / size;
}

/* log2 of a power of two. */
static unsigned levels_of(size_t leaves)
{
  unsigned k = 0;
  while (((size_t)1 << k) < leaves) ++k;
  return k;
}

void pinn_reduce_list_init_(pinn_reduce_list_ *l, size_t len, size_t leaves)
{
  l->len = len;
  l->leaves = leaves;
  l->n = l->cap = 0;
  l->node = NULL;
  l->npool = 0;
}

void pinn_reduce_list_free_(pinn_reduce_list_ *l)
{
  for (size_t i = 0; i < l->n; ++i) free(l->node[i].v);
  for (size_t i = 0; i < l->npool; ++i) free(l->pool[i]);
  free(l->node);
  l->node = NULL;
  l->n = l->cap = l->npool = 0;
}

double *pinn_reduce_take_(pinn_reduce_list_ *l)
{
  if (l->npool) {
    double *v = l->pool[--l->npool];
    memset(v, 0, l->len * sizeof *v);
    return v;
  }
  return calloc(l->len ? l->len : 1, sizeof(double));
}

/* A merged-away vector: kept for reuse, or freed when the pool is full. */
static void give_back(pinn_reduce_list_ *l, double *v)
{
  if (l->npool < sizeof l->pool / sizeof *l->pool)
    l->pool[l->npool++] = v;
  else
    free(v);
}

/* The last two nodes are the two children of one parent. */
static int siblings(const pinn_reduce_list_ *l)
{
  if (l->n < 2) return 0;
  const pinn_reduce_node_ *a = &l->node[l->n - 2], *b = &l->node[l->n - 1];
  return a->level == b->level && a->index % 2 == 0 && b->index == a->index + 1;
}

int pinn_reduce_push_(pinn_reduce_list_ *l, unsigned level, size_t index, double *v)
{
  if (l->n == l->cap) {
    const size_t cap = l->cap ? 2 * l->cap : 2 * PINN_REDUCE_LEVELS + 2;
    pinn_reduce_node_ *p = realloc(l->node, cap * sizeof *p);
    if (!p) {
      free(v);
      return PINN_ENOMEM;
    }
    l->node = p;
    l->cap = cap;
  }
  l->node[l->n++] = (pinn_reduce_node_){level, index, v};
  while (siblings(l)) {
    pinn_reduce_node_ *a = &l->node[l->n - 2], *b = &l->node[l->n - 1];
    if (a->v && b->v) {
      for (size_t j = 0; j < l->len; ++j) a->v[j] += b->v[j];
      give_back(l, b->v);
    } else if (!a->v) {
      a->v = b->v;
    }
    a->level += 1;
    a->index /= 2;
    l->n -= 1;
  }
  return PINN_SUCCESS;
}

int pinn_reduce_append_(pinn_reduce_list_ *dst, pinn_reduce_list_ *src)
{
  int st = PINN_SUCCESS;
  for (size_t i = 0; i < src->n; ++i) {
    const pinn_reduce_node_ nd = src->node[i];
    src->node[i].v = NULL;
    if (!st) st = pinn_reduce_push_(dst, nd.level, nd.index, nd.v);
    else free(nd.v);
  }
  pinn_reduce_list_free_(src);
  return st;
}

int pinn_reduce_root_(const pinn_reduce_list_ *l, double *out)
{
  if (l->n != 1 || l->node[0].level != levels_of(l->leaves) || l->node[0].index != 0)
    return PINN_EINVAL;
  if (l->node[0].v)
    for (size_t j = 0; j < l->len; ++j) out[j] += l->node[0].v[j];
  return PINN_SUCCESS;
}

/* Wire form: n, then per node level, index, has_vector (as doubles, exact
 * below 2^53), then the vectors of the nodes that have one. */
size_t pinn_reduce_pack_(const pinn_reduce_list_ *l, double *buf)
{
  size_t k = 1 + 3 * l->n;
  if (buf) {
    buf[0] = (double)l->n;
    for (size_t i = 0; i < l->n; ++i) {
      buf[1 + 3 * i] = (double)l->node[i].level;
      buf[2 + 3 * i] = (double)l->node[i].index;
      buf[3 + 3 * i] = l->node[i].v ? 1.0 : 0.0;
    }
  }
  for (size_t i = 0; i < l->n; ++i)
    if (l->node[i].v) {
      if (buf) memcpy(buf + k, l->node[i].v, l->len * sizeof *buf);
      k += l->len;
    }
  return k;
}

int pinn_reduce_unpack_(pinn_reduce_list_ *l, const double *buf, size_t count)
{
  if (count < 1 || !(buf[0] >= 0.0 && buf[0] <= 2.0 * PINN_REDUCE_LEAVES)) return PINN_EINVAL;
  const size_t n = (size_t)buf[0];
  if (count < 1 + 3 * n) return PINN_EINVAL;
  size_t k = 1 + 3 * n;
  for (size_t i = 0; i < n; ++i) {
    const double lv = buf[1 + 3 * i], ix = buf[2 + 3 * i], has = buf[3 + 3 * i];
    if (!(lv >= 0.0 && lv <= levels_of(l->leaves) && lv == floor(lv)) ||
        !(ix >= 0.0 && ix < (double)(l->leaves >> (unsigned)lv) && ix == floor(ix)) ||
        !(has == 0.0 || has == 1.0))
      return PINN_EINVAL;
    double *v = NULL;
    if (has == 1.0) {
      if (count - k < l->len) return PINN_EINVAL;
      v = malloc((l->len ? l->len : 1) * sizeof *v);
      if (!v) return PINN_ENOMEM;
      memcpy(v, buf + k, l->len * sizeof *v);
      k += l->len;
    }
    int st = pinn_reduce_push_(l, (unsigned)lv, (size_t)ix, v);
    if (st) return st;
  }
  return k == count ? PINN_SUCCESS : PINN_EINVAL;
}

int pinn_reduce_total_(pinn_reduce_list_ *l, size_t n_acc, double *acc_out, double *grad)
{
  const size_t len = l->len;
  double *root = calloc(len ? len : 1, sizeof *root);
  int st = root ? pinn_reduce_root_(l, root) : PINN_ENOMEM;
  pinn_reduce_list_free_(l);
  if (!st) {
    for (size_t a = 0; a < n_acc; ++a) acc_out[a] = root[a];
    if (grad)
      for (size_t j = n_acc; j < len; ++j) grad[j - n_acc] += root[j];
  }
  free(root);
  return st;
}

/* ---- the driver of a pass ------------------------------------------------ */

/* One work item: leaves [a, b) inside one aligned group of leaves, its node
 * list, and how it ended. */
typedef struct {
  size_t a, b;
  pinn_reduce_list_ list;
  int status;
  size_t fail_block;
} pass_item;

int pinn_reduce_pass_(size_t nblocks, size_t rank, size_t size, size_t len, int threads,
                      const pinn_reduce_pass_ops_ *ops, void *ctx, pinn_reduce_list_ *out,
                      pinn_reduce_pass_fail_ *fail)
{
  const size_t leaves = pinn_reduce_leaves_(nblocks);
  size_t leaf0, leaf1;
  pinn_reduce_share_(rank, size, leaves, &leaf0, &leaf1);
  pinn_reduce_list_init_(out, len, leaves);
  fail->status = 0;
  fail->block = 0;
  fail->no_workspace = 0;
  if (leaf0 == leaf1) return PINN_SUCCESS;
  /* work items: the range cut at the aligned groups of IL leaves */
  const size_t IL = leaves > PINN_REDUCE_ITEMS ? leaves / PINN_REDUCE_ITEMS : 1;
  const size_t nitems = (leaf1 - 1) / IL - leaf0 / IL + 1;
  pass_item *items = calloc(nitems, sizeof *items);
  if (!items) return fail->status = PINN_ENOMEM;
  for (size_t i = 0; i < nitems; ++i) {
    const size_t g = leaf0 / IL + i;
    items[i].a = g * IL > leaf0 ? g * IL : leaf0;
    items[i].b = (g + 1) * IL < leaf1 ? (g + 1) * IL : leaf1;
    pinn_reduce_list_init_(&items[i].list, len, leaves);
  }
  int no_ws = 0;
  (void)threads;
#pragma omp parallel if (nblocks >= 4 && nitems >= 2) num_threads(threads)
  {
    void *ws = ops->alloc(ctx);
    if (!ws) {
#pragma omp atomic write
      no_ws = 1;
    }
#pragma omp for schedule(dynamic, 1)
    for (size_t it = 0; it < nitems; ++it) {
      if (!ws) continue;
      pass_item *item = &items[it];
      for (size_t c = item->a; c < item->b && !item->status; ++c) {
        size_t b0, b1;
        pinn_reduce_leaf_blocks_(nblocks, leaves, c, &b0, &b1);
        double *v = NULL;
        if (b1 > b0 && !(v = pinn_reduce_take_(&item->list))) {
          item->status = PINN_ENOMEM;
          item->fail_block = SIZE_MAX;
          break;
        }
        for (size_t b = b0; b < b1; ++b) {
          const int r = ops->block(ws, b, v, ctx);
          if (r) {
            item->status = r >= 100 ? r : PINN_ECALLBACK;
            item->fail_block = b;
            break;
          }
        }
        if (item->status) {
          free(v);
          break;
        }
        if (pinn_reduce_push_(&item->list, 0, c, v)) {
          item->status = PINN_ENOMEM;
          item->fail_block = SIZE_MAX;
        }
      }
    }
    if (ws) ops->release(ws);
  }
  int st = PINN_SUCCESS;
  if (no_ws) {
    st = PINN_ENOMEM;
    fail->no_workspace = 1;
    fail->block = SIZE_MAX;
  }
  for (size_t i = 0; i < nitems && !st; ++i)
    if (items[i].status) {
      st = items[i].status;
      fail->block = items[i].fail_block;
    }
  for (size_t i = 0; i < nitems; ++i) {
    if (!st && pinn_reduce_append_(out, &items[i].list)) {
      st = PINN_ENOMEM;
      fail->block = SIZE_MAX;
    }
    pinn_reduce_list_free_(&items[i].list);
  }
  free(items);
  fail->status = st;
  if (st) pinn_reduce_list_free_(out);
  return st;
}
