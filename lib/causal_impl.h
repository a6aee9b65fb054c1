/* libpinn internal — the loss's hooks into its causal weights (lib/causal.c,
 * pinn/causal.h).  Not installed. */
#ifndef PINN_CAUSAL_IMPL_H
#define PINN_CAUSAL_IMPL_H

#include <stddef.h>
#include <pinn/causal.h>

struct pinn_loss;
struct pinn_h5_writer;
struct pinn_h5_reader;
typedef struct pinn_causal_state_ pinn_causal_state_;

/* The state of l->opt.causal (slabs > 0) into l->causal: checks the options
 * and the problem (time, no team).  0, or the status with l->err set. */
int pinn_causal_attach_(struct pinn_loss *l);
void pinn_causal_free_(pinn_causal_state_ *c);
/* Before an evaluation: every causal term's slab losses at the current
 * parameters, its weights and its points' seed multipliers.  0 or the
 * failing status (message on the loss). */
int pinn_causal_prepare_(struct pinn_loss *l);
/* Term i's seed multiplier per point n w_k / (M n_k) for the next
 * evaluation, or NULL (plain loss). */
const double *pinn_causal_point_weights_(const struct pinn_loss *l, size_t i);
/* Checkpoints: the rung (and the settings, so that a resume must use the
 * same ones) as attributes of group.  load reads and checks into *rung
 * (the loss unchanged); set commits it. */
int pinn_causal_save_(const struct pinn_loss *l, struct pinn_h5_writer *w, const char *group);
int pinn_causal_load_(struct pinn_loss *l, struct pinn_h5_reader *r, const char *group,
                      size_t *rung);
void pinn_causal_set_rung_(struct pinn_loss *l, size_t rung);

#endif
