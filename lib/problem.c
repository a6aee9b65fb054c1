/* libpinn — problem descriptions (see include/pinn/problem.h). */
#include <pinn/problem.h>

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem_impl.h"
#include "term_impl.h"

#define MAX_TERMS 32

struct pinn_problem {
  char name[64];
  char *description;
  size_t d, n_out;
  int has_time;
  pinn_domain dom;
  int has_domain;
  char out_names[PINN_MAX_OUTPUTS][32];
  size_t n_coef;
  char coef_names[PINN_MAX_COEFS][32];
  double coef_init[PINN_MAX_COEFS];
  double coef_scale[PINN_MAX_COEFS];
  size_t n_terms;
  pinn_term_def terms[MAX_TERMS];
  pinn_solution_fn exact;
  void *exact_ctx;
  size_t ref_counts[PINN_MAX_INPUTS];
  double *ref_axes[PINN_MAX_INPUTS];
  double *ref_u;
  size_t ref_n;           /* reference points (pinn_problem_set_reference_points) */
  double *ref_px, *ref_pu;
  size_t out_grid[PINN_MAX_INPUTS];
  int has_out_grid;
  pinn_metrics_fn metrics;
  void *metrics_ctx;
  size_t n_transforms;
  pinn_transform transforms[PINN_MAX_OUTPUTS];
  /* the obstacle formulation (pinn_problem_set_obstacle): its terms are
   * ob_count terms from ob_first, for ob_method with barrier rho ob_rho */
  int has_obstacle;
  pinn_obstacle_spec ob;
  size_t ob_first, ob_count;
  int ob_method;
  double ob_rho;
  size_t n_kept; /* pinn_problem_keep */
  void *kept[PINN_MAX_KEPT];
  void (*kept_destroy[PINN_MAX_KEPT])(void *);
  pinn_error err;
  pinn_error setup; /* the first failed setup call (sticky): pinn_problem_status */
};

static const char *const barrier_names[] = {"relu2", "relu", "leaky", "softplus"};

pinn_barrier pinn_barrier_default(void)
{
  pinn_barrier b = {PINN_BARRIER_RELU2, 1000.0, 0.0, 1.0, 1000.0};
  return b;
}

/* The shape parameter a barrier of this kind gets unless one is given. */
static double barrier_param(pinn_barrier_kind kind)
{
  return kind == PINN_BARRIER_LEAKY ? 0.01 : kind == PINN_BARRIER_SOFTPLUS ? 50.0 : 0.0;
}

const char *pinn_barrier_name(pinn_barrier_kind kind)
{
  return (unsigned)kind <= PINN_BARRIER_SOFTPLUS ? barrier_names[kind] : NULL;
}

int pinn_barrier_parse(const char *text, pinn_barrier *out, pinn_error *err)
{
  if (!text || !out) return pinn_error_set(err, PINN_EINVAL, "barrier: NULL argument");
  pinn_barrier b = *out;
  const char *colon = strchr(text, ':');
  size_t len = colon ? (size_t)(colon - text) : strlen(text);
  int found = -1;
  for (int k = 0; k <= PINN_BARRIER_SOFTPLUS; ++k)
    if (strlen(barrier_names[k]) == len && strncmp(text, barrier_names[k], len) == 0) found = k;
  if (found < 0)
    return pinn_error_set(err, PINN_EINVAL,
                          "unknown barrier '%s': use relu2, relu, leaky[:slope] or softplus[:beta]",
                          text);
  b.kind = (pinn_barrier_kind)found;
  b.param = barrier_param(b.kind);
  if (colon) {
    char *end;
    double v = strtod(colon + 1, &end);
    if (end == colon + 1 || *end || !isfinite(v) || v <= 0 ||
        (b.kind == PINN_BARRIER_LEAKY && v >= 1) ||
        (b.kind != PINN_BARRIER_LEAKY && b.kind != PINN_BARRIER_SOFTPLUS))
      return pinn_error_set(err, PINN_EINVAL,
                            "barrier '%s': leaky takes a slope in (0,1), softplus a beta > 0, "
                            "relu and relu2 no parameter",
                            text);
    b.param = v;
  }
  *out = b;
  return PINN_SUCCESS;
}

static int check_barrier(const pinn_barrier *b, pinn_error *err)
{
  if ((unsigned)b->kind > PINN_BARRIER_SOFTPLUS)
    return pinn_error_set(err, PINN_EINVAL, "unknown barrier kind %d", (int)b->kind);
  if (!(b->rho > 0) || !isfinite(b->rho))
    return pinn_error_set(err, PINN_EINVAL, "barrier penalty rho must be positive, got %g", b->rho);
  if (!(b->growth >= 1) || !isfinite(b->growth))
    return pinn_error_set(err, PINN_EINVAL,
                          "barrier growth must be >= 1 (1 keeps rho fixed), got %g", b->growth);
  /* rho_max caps the continuation only: a fixed rho (growth 1) may be any size */
  if (b->growth > 1 && !(b->rho_max >= b->rho))
    return pinn_error_set(err, PINN_EINVAL,
                          "barrier continuation (growth %g > 1) needs rho_max >= rho, got rho_max "
                          "%g < rho %g: raise rho_max, or set growth = 1 for a fixed rho",
                          b->growth, b->rho_max, b->rho);
  if (b->kind == PINN_BARRIER_LEAKY && !(b->param > 0 && b->param < 1))
    return pinn_error_set(err, PINN_EINVAL, "leaky barrier slope must be in (0,1), got %g",
                          b->param);
  if (b->kind == PINN_BARRIER_SOFTPLUS && !(b->param > 0 && isfinite(b->param)))
    return pinn_error_set(err, PINN_EINVAL, "softplus barrier beta must be positive, got %g",
                          b->param);
  return PINN_SUCCESS;
}

static int valid_name(const char *s)
{
  if (!s || !*s || strlen(s) >= 32) return 0;
  for (; *s; ++s)
    if (!isalnum((unsigned char)*s) && *s != '_') return 0;
  return 1;
}

pinn_problem *pinn_problem_alloc(const char *name, size_t d, int has_time, size_t n_out,
                                 pinn_error *err)
{
  if (!valid_name(name)) {
    pinn_error_set(err, PINN_EINVAL, "problem name '%s' must be 1-31 characters [A-Za-z0-9_]",
                   name ? name : "(null)");
    return NULL;
  }
  if (d < 1 || d > PINN_DOMAIN_MAX_DIM) {
    pinn_error_set(err, PINN_EINVAL,
                   "problem '%s': %zu space dimensions; libpinn problems have 1 to %d", name, d,
                   PINN_DOMAIN_MAX_DIM);
    return NULL;
  }
  if (n_out < 1 || n_out > PINN_MAX_OUTPUTS) {
    pinn_error_set(err, PINN_EINVAL, "problem '%s': %zu outputs; use 1 to %d", name, n_out,
                   PINN_MAX_OUTPUTS);
    return NULL;
  }
  pinn_problem *p = calloc(1, sizeof *p);
  if (!p) {
    pinn_error_set(err, PINN_ENOMEM, "out of memory");
    return NULL;
  }
  snprintf(p->name, sizeof p->name, "%s", name);
  p->d = d;
  p->has_time = has_time ? 1 : 0;
  p->n_out = n_out;
  for (size_t k = 0; k < n_out; ++k) {
    if (n_out == 1) snprintf(p->out_names[k], sizeof p->out_names[k], "u");
    else snprintf(p->out_names[k], sizeof p->out_names[k], "u%zu", k);
  }
  return p;
}

void pinn_problem_free(pinn_problem *p)
{
  if (!p) return;
  for (size_t i = 0; i < p->n_terms; ++i) {
    free(p->terms[i].data_x);
    free(p->terms[i].data_y);
  }
  for (int a = 0; a < PINN_MAX_INPUTS; ++a) free(p->ref_axes[a]);
  free(p->ref_u);
  free(p->ref_px);
  free(p->ref_pu);
  free(p->description);
  while (p->n_kept) {
    --p->n_kept;
    p->kept_destroy[p->n_kept](p->kept[p->n_kept]);
  }
  free(p);
}

const char *pinn_problem_errmsg(const pinn_problem *p)
{
  if (!p) return "no problem";
  return p->err.msg[0] ? p->err.msg : p->setup.msg;
}

int pinn_problem_status(const pinn_problem *p) { return p ? p->setup.code : PINN_EINVAL; }

const char *pinn_problem_setup_errmsg(const pinn_problem *p)
{
  return p ? p->setup.msg : "no problem";
}

static int set_description_impl(pinn_problem *p, const char *text)
{
  char *c = malloc(strlen(text ? text : "") + 1);
  if (!c) return pinn_error_set(&p->err, PINN_ENOMEM, "out of memory");
  strcpy(c, text ? text : "");
  free(p->description);
  p->description = c;
  return PINN_SUCCESS;
}

const char *pinn_problem_name(const pinn_problem *p) { return p->name; }
const char *pinn_problem_description(const pinn_problem *p)
{
  return p->description ? p->description : "";
}

static int set_output_names_impl(pinn_problem *p, const char *names)
{
  char buf[PINN_MAX_OUTPUTS * 32 + 1], tmp[PINN_MAX_OUTPUTS][32];
  if (!names || strlen(names) >= sizeof buf)
    return pinn_error_set(&p->err, PINN_EINVAL, "output names: give a comma-separated list");
  strcpy(buf, names);
  size_t k = 0;
  for (char *s = buf, *tok; (tok = strtok(s, ",")); s = NULL) {
    if (k >= p->n_out || !valid_name(tok))
      return pinn_error_set(&p->err, PINN_EINVAL,
                            "output names '%s': need exactly %zu names of [A-Za-z0-9_]", names,
                            p->n_out);
    snprintf(tmp[k++], 32, "%s", tok);
  }
  if (k != p->n_out)
    return pinn_error_set(&p->err, PINN_EINVAL, "output names '%s': need exactly %zu names",
                          names, p->n_out);
  memcpy(p->out_names, tmp, sizeof tmp);
  return PINN_SUCCESS;
}

const char *pinn_problem_output_name(const pinn_problem *p, size_t k)
{
  return k < p->n_out ? p->out_names[k] : NULL;
}

static int set_domain_impl(pinn_problem *p, const pinn_domain *dom)
{
  pinn_error e;
  if (!dom || pinn_domain_check(dom, &e))
    return pinn_error_set(&p->err, PINN_EINVAL, "problem '%s': invalid domain: %s", p->name,
                          dom ? e.msg : "NULL");
  if (dom->d != p->d || (dom->has_time != 0) != p->has_time)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "problem '%s' has %zu space dimension(s)%s but the domain has %zu%s",
                          p->name, p->d, p->has_time ? " and time" : "", dom->d,
                          dom->has_time ? " and time" : "");
  p->dom = *dom;
  p->has_domain = 1;
  return PINN_SUCCESS;
}

const pinn_domain *pinn_problem_domain(const pinn_problem *p)
{
  return p->has_domain ? &p->dom : NULL;
}
size_t pinn_problem_space_dim(const pinn_problem *p) { return p->d; }
int pinn_problem_has_time(const pinn_problem *p) { return p->has_time; }
size_t pinn_problem_dim(const pinn_problem *p) { return p->d + (size_t)p->has_time; }
size_t pinn_problem_n_out(const pinn_problem *p) { return p->n_out; }

static int add_coefficient_impl(pinn_problem *p, const char *name, double initial, size_t *index)
{
  if (p->n_coef >= PINN_MAX_COEFS)
    return pinn_error_set(&p->err, PINN_EINVAL, "at most %d learnable coefficients",
                          PINN_MAX_COEFS);
  if (!valid_name(name) || !isfinite(initial))
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "coefficient '%s': name must be [A-Za-z0-9_]+ and the initial value finite",
                          name ? name : "(null)");
  snprintf(p->coef_names[p->n_coef], 32, "%s", name);
  p->coef_init[p->n_coef] = initial;
  p->coef_scale[p->n_coef] = 1.0;
  if (index) *index = p->n_coef;
  p->n_coef++;
  return PINN_SUCCESS;
}

size_t pinn_problem_n_coefs(const pinn_problem *p) { return p->n_coef; }
const char *pinn_problem_coef_name(const pinn_problem *p, size_t j)
{
  return j < p->n_coef ? p->coef_names[j] : NULL;
}
double pinn_problem_coef_initial(const pinn_problem *p, size_t j)
{
  return j < p->n_coef ? p->coef_init[j] : NAN;
}

static int set_coefficient_scale_impl(pinn_problem *p, size_t j, double scale)
{
  if (j >= p->n_coef)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "coefficient scale: index %zu, but the problem has %zu coefficients", j,
                          p->n_coef);
  if (!(isfinite(scale) && scale > 0))
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "coefficient '%s': scale %g must be finite and > 0 (its expected "
                          "magnitude, e.g. 0.01 for a viscosity near 0.003)",
                          p->coef_names[j], scale);
  p->coef_scale[j] = scale;
  return PINN_SUCCESS;
}

double pinn_problem_coef_scale(const pinn_problem *p, size_t j)
{
  return j < p->n_coef ? p->coef_scale[j] : NAN;
}

/* ---------------------------------------------------------------- terms */

/* The PINN_NEED_* flags a problem's classic terms may use: x, y, z within
 * its space dimensions, t when it has time.  Beyond 3 space dimensions the
 * named jet (pinn_jet: x, y, z, t) cannot hold the derivatives, so classic
 * terms read u and its time derivatives only (add_residual_any reads the
 * rest by input name, x0 .. x7). */
static unsigned needs_mask(const pinn_problem *p)
{
  if (p->d > 3) return p->has_time ? PINN_NEED_T | PINN_NEED_TT : 0u;
  unsigned m = PINN_NEED_X | PINN_NEED_XX;
  if (p->d >= 2) m |= PINN_NEED_Y | PINN_NEED_YY | PINN_NEED_XY;
  if (p->d >= 3) m |= PINN_NEED_Z | PINN_NEED_ZZ | PINN_NEED_XZ | PINN_NEED_YZ;
  if (p->has_time) {
    m |= PINN_NEED_T | PINN_NEED_TT | PINN_NEED_XT;
    if (p->d >= 2) m |= PINN_NEED_YT;
    if (p->d >= 3) m |= PINN_NEED_ZT;
  }
  return m;
}

static pinn_term_def *new_term(pinn_problem *p, const char *name, pinn_term_kind kind, size_t k)
{
  if (p->n_terms >= MAX_TERMS) {
    pinn_error_set(&p->err, PINN_EINVAL, "problem '%s': at most %d terms", p->name, MAX_TERMS);
    return NULL;
  }
  if (!valid_name(name)) {
    pinn_error_set(&p->err, PINN_EINVAL, "term name '%s' must be 1-31 characters [A-Za-z0-9_]",
                   name ? name : "(null)");
    return NULL;
  }
  if (pinn_problem_find_term(p, name) >= 0) {
    pinn_error_set(&p->err, PINN_EINVAL, "problem '%s' already has a term named '%s'", p->name,
                   name);
    return NULL;
  }
  if (k >= p->n_out) {
    pinn_error_set(&p->err, PINN_EINVAL, "term '%s': output %zu does not exist (the problem has %zu)",
                   name, k, p->n_out);
    return NULL;
  }
  pinn_term_def *t = &p->terms[p->n_terms];
  memset(t, 0, sizeof *t);
  snprintf(t->name, sizeof t->name, "%s", name);
  t->kind = kind;
  t->k = k;
  t->weight = 1.0;
  t->n_points = pinn_term_ops_of_(kind)->default_points;
  t->barrier = pinn_barrier_default();
  return t;
}

static int add_residual_like(pinn_problem *p, const char *name, pinn_term_kind kind, size_t k,
                             size_t n_res, pinn_residual_fn fn, unsigned needs, void *ctx)
{
  if (!fn) return pinn_error_set(&p->err, PINN_EINVAL, "term '%s': the residual function is NULL",
                                 name ? name : "");
  if (n_res < 1 || n_res > PINN_MAX_RESIDUALS)
    return pinn_error_set(&p->err, PINN_EINVAL, "term '%s': %zu residuals; use 1 to %d", name,
                          n_res, PINN_MAX_RESIDUALS);
  unsigned valid = needs_mask(p);
  /* the gradient / Laplacian shorthands are restricted to the problem's dims
   * (beyond 3 they would leave axes out: refused below) */
  if ((needs & PINN_NEED_GRAD) == PINN_NEED_GRAD && p->d <= 3)
    needs = (needs & ~(unsigned)PINN_NEED_GRAD) | (PINN_NEED_GRAD & valid);
  if ((needs & PINN_NEED_LAPLACIAN) == PINN_NEED_LAPLACIAN && p->d <= 3)
    needs = (needs & ~(unsigned)PINN_NEED_LAPLACIAN) | (PINN_NEED_LAPLACIAN & valid);
  if (needs & ~valid && p->d > 3)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "term '%s' needs space derivatives (flags 0x%x), which a residual of a "
                          "problem in %zu space dimensions reads through "
                          "pinn_problem_add_residual_any (derivatives named by input: \"x0x0\", "
                          "\"lap\"); pinn_problem_add_residual reads u%s only there",
                          name, needs & ~valid, p->d, p->has_time ? ", u_t and u_tt" : "");
  if (needs & ~valid)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "term '%s' needs derivatives (flags 0x%x) with respect to coordinates "
                          "the problem does not have (%zu space dimension(s)%s)",
                          name, needs & ~valid, p->d, p->has_time ? " and time" : ", no time");
  pinn_term_def *t = new_term(p, name, kind, k);
  if (!t) return p->err.code;
  t->n_res = n_res;
  t->res = fn;
  t->needs = needs;
  t->ctx = ctx;
  p->n_terms++;
  return PINN_SUCCESS;
}

/* One derivative name of add_residual_any: the inputs it differentiates by
 * (pinn_partial_parse_names: x, y, z, t, or x0 .. x7 beyond 3 space
 * dimensions; or d + indices), or lap / lap2; into the def's slot j. */
static int parse_deriv(pinn_problem *p, const char *name, const char *text, size_t len,
                       pinn_term_def *t, size_t j)
{
  char buf[24];
  if (len == 0 || len >= sizeof buf)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "term '%s': derivative %zu is %s: name one by its coordinates (xxxx, "
                          "xt, x0x0) or lap / lap2, comma-separated",
                          name, j + 1, len ? "too long" : "empty");
  memcpy(buf, text, len);
  buf[len] = '\0';
  snprintf(t->deriv_names[j], sizeof t->deriv_names[j], "%s", buf);
  memset(&t->deriv_p[j], 0, sizeof t->deriv_p[j]);
  t->deriv_lap[j] = !strcmp(buf, "lap") ? 1 : !strcmp(buf, "lap2") ? 2 : 0;
  if (t->deriv_lap[j]) return PINN_SUCCESS;
  const char *names[PINN_MAX_INPUTS];
  const size_t n_in = pinn_problem_dim(p);
  for (size_t i = 0; i < n_in; ++i) names[i] = pinn_problem_input_name(p, i);
  pinn_error e;
  if (pinn_partial_parse_names(buf, n_in, names, &t->deriv_p[j], &e))
    return pinn_error_set(&p->err, PINN_EINVAL, "term '%s': %s", name, e.msg);
  return PINN_SUCCESS;
}

static int add_residual_any_impl(pinn_problem *p, const char *name, pinn_term_kind kind,
                                 size_t n_res, pinn_residual_any_fn fn, const char *derivs,
                                 void *ctx)
{
  if (!fn) return pinn_error_set(&p->err, PINN_EINVAL, "term '%s': the residual function is NULL",
                                 name ? name : "");
  if (n_res < 1 || n_res > PINN_MAX_RESIDUALS)
    return pinn_error_set(&p->err, PINN_EINVAL, "term '%s': %zu residuals; use 1 to %d", name,
                          n_res, PINN_MAX_RESIDUALS);
  if (!derivs || !*derivs)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "term '%s': list the derivatives the residual reads (\"xxxx\", "
                          "\"t,x,xxx\"); add_residual takes residuals of order <= 2",
                          name);
  pinn_term_def tmp;
  memset(&tmp, 0, sizeof tmp);
  size_t nd = 0;
  for (const char *c = derivs;;) {
    const char *e = strchr(c, ',');
    const size_t len = e ? (size_t)(e - c) : strlen(c);
    if (nd == PINN_MAX_DERIVS)
      return pinn_error_set(&p->err, PINN_EINVAL, "term '%s': more than %d derivatives", name,
                            PINN_MAX_DERIVS);
    int st = parse_deriv(p, name, c, len, &tmp, nd++);
    if (st) return st;
    if (!e) break;
    c = e + 1;
  }
  if (p->n_out * (1 + nd) > PINN_DUAL_MAX)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "term '%s': %zu outputs x (value + %zu derivatives) = %zu duals, more "
                          "than PINN_DUAL_MAX = %d",
                          name, p->n_out, nd, p->n_out * (1 + nd), PINN_DUAL_MAX);
  pinn_term_def *t = new_term(p, name, kind, 0);
  if (!t) return p->err.code;
  t->n_res = n_res;
  t->res_any = fn;
  t->ctx = ctx;
  t->n_derivs = nd;
  memcpy(t->deriv_names, tmp.deriv_names, sizeof tmp.deriv_names);
  memcpy(t->deriv_p, tmp.deriv_p, sizeof tmp.deriv_p);
  memcpy(t->deriv_lap, tmp.deriv_lap, sizeof tmp.deriv_lap);
  p->n_terms++;
  return PINN_SUCCESS;
}

static int add_scalar_term(pinn_problem *p, const char *name, pinn_term_kind kind, size_t k,
                           pinn_scalar_fn g, void *ctx)
{
  if (pinn_term_ops_of_(kind)->region == PINN_REGION_INITIAL && !p->has_time)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "term '%s': initial conditions need a time-dependent problem", name);
  if ((kind == PINN_TERM_NEUMANN || kind == PINN_TERM_ROBIN) && p->d > 3)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "term '%s': normal derivatives are carried for problems in up to 3 "
                          "space dimensions (this one has %zu); write the condition with "
                          "pinn_problem_add_boundary_residual_any on each face (on the face "
                          "x0 = 0 the outward derivative is -u_x0: \"x0\")",
                          name, p->d);
  pinn_term_def *t = new_term(p, name, kind, k);
  if (!t) return p->err.code;
  t->g = g;
  t->g_ctx = ctx;
  p->n_terms++;
  return PINN_SUCCESS;
}

static int add_robin_impl(pinn_problem *p, const char *name, size_t k, double a, double b,
                          pinn_scalar_fn g, void *ctx)
{
  if (!isfinite(a) || !isfinite(b) || (a == 0 && b == 0))
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "Robin term '%s': a and b must be finite and not both zero", name);
  int st = add_scalar_term(p, name, PINN_TERM_ROBIN, k, g, ctx);
  if (!st) {
    p->terms[p->n_terms - 1].a = a;
    p->terms[p->n_terms - 1].b = b;
  }
  return st;
}

static int add_periodic_impl(pinn_problem *p, const char *name, size_t k, size_t axis,
                             int derivative)
{
  if (axis >= p->d)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "periodic term '%s': axis %zu is not a space axis (0..%zu)", name, axis,
                          p->d - 1);
  if (derivative && p->d > 3)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "periodic term '%s': matching derivatives is carried for problems in up "
                          "to 3 space dimensions (this one has %zu); match the values only",
                          name, p->d);
  int st = add_scalar_term(p, name, PINN_TERM_PERIODIC, k, NULL, NULL);
  if (!st) {
    p->terms[p->n_terms - 1].axis = axis;
    p->terms[p->n_terms - 1].derivative = derivative ? 1 : 0;
  }
  return st;
}

static int add_data_impl(pinn_problem *p, const char *name, size_t k, size_t n, const double *x,
                         const double *y)
{
  if (n == 0 || !x || !y)
    return pinn_error_set(&p->err, PINN_EINVAL, "data term '%s': give n > 0 points and values",
                          name ? name : "");
  size_t dim = pinn_problem_dim(p);
  for (size_t i = 0; i < n * dim; ++i)
    if (!isfinite(x[i]))
      return pinn_error_set(&p->err, PINN_EINVAL, "data term '%s': point %zu is not finite", name,
                            i / dim);
  for (size_t i = 0; i < n; ++i)
    if (!isfinite(y[i]))
      return pinn_error_set(&p->err, PINN_EINVAL, "data term '%s': value %zu is not finite", name,
                            i);
  double *cx = malloc(n * dim * sizeof *cx), *cy = malloc(n * sizeof *cy);
  if (!cx || !cy) {
    free(cx);
    free(cy);
    return pinn_error_set(&p->err, PINN_ENOMEM, "out of memory");
  }
  int st = add_scalar_term(p, name, PINN_TERM_DATA, k, NULL, NULL);
  if (st) {
    free(cx);
    free(cy);
    return st;
  }
  memcpy(cx, x, n * dim * sizeof *cx);
  memcpy(cy, y, n * sizeof *cy);
  pinn_term_def *t = &p->terms[p->n_terms - 1];
  t->n_data = n;
  t->n_points = n;
  t->data_x = cx;
  t->data_y = cy;
  return PINN_SUCCESS;
}

static int add_obstacle_impl(pinn_problem *p, const char *name, size_t k, pinn_sense sense,
                             pinn_scalar_fn psi, void *ctx, const pinn_barrier *b)
{
  pinn_barrier bb = b ? *b : pinn_barrier_default();
  if (!psi) return pinn_error_set(&p->err, PINN_EINVAL, "obstacle term '%s': psi is NULL", name);
  if (sense != 1 && sense != -1)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "obstacle term '%s': sense must be +1 (u >= psi) or -1 (u <= psi)", name);
  if (check_barrier(&bb, &p->err)) return p->err.code;
  int st = add_scalar_term(p, name, PINN_TERM_OBSTACLE, k, psi, ctx);
  if (!st) {
    p->terms[p->n_terms - 1].sense = sense;
    p->terms[p->n_terms - 1].barrier = bb;
  }
  return st;
}

static int add_complementarity_impl(pinn_problem *p, const char *name, size_t k,
                                    pinn_residual_fn fn, unsigned needs, void *ctx,
                                    pinn_scalar_fn psi, void *psi_ctx)
{
  if (!psi)
    return pinn_error_set(&p->err, PINN_EINVAL, "complementarity term '%s': psi is NULL",
                          name ? name : "");
  int st = add_residual_like(p, name, PINN_TERM_COMPLEMENTARITY, k, 1, fn, needs, ctx);
  if (!st) {
    p->terms[p->n_terms - 1].g = psi;
    p->terms[p->n_terms - 1].g_ctx = psi_ctx;
    p->terms[p->n_terms - 1].sense = PINN_SENSE_LOWER;
  }
  return st;
}

size_t pinn_problem_n_terms(const pinn_problem *p) { return p->n_terms; }

const char *pinn_problem_term_name(const pinn_problem *p, size_t i)
{
  return i < p->n_terms ? p->terms[i].name : NULL;
}

pinn_term_kind pinn_problem_term_kind(const pinn_problem *p, size_t i)
{
  return i < p->n_terms ? p->terms[i].kind : PINN_TERM_RESIDUAL;
}

int pinn_problem_find_term(const pinn_problem *p, const char *name)
{
  for (size_t i = 0; i < p->n_terms; ++i)
    if (name && strcmp(p->terms[i].name, name) == 0) return (int)i;
  return -1;
}

const pinn_term_def *pinn_problem_term_(const pinn_problem *p, size_t i)
{
  return i < p->n_terms ? &p->terms[i] : NULL;
}

size_t pinn_problem_term_output(const pinn_problem *p, size_t i)
{
  return i < p->n_terms ? p->terms[i].k : 0;
}

static int term_index_ok(pinn_problem *p, size_t i)
{
  if (i < p->n_terms) return 1;
  pinn_error_set(&p->err, PINN_EINVAL, "problem '%s' has no term %zu (it has %zu)", p->name, i,
                 p->n_terms);
  return 0;
}

static int set_weight_impl(pinn_problem *p, size_t i, double w)
{
  if (!term_index_ok(p, i)) return p->err.code;
  if (!(w >= 0) || !isfinite(w))
    return pinn_error_set(&p->err, PINN_EINVAL, "term '%s': weight must be >= 0 and finite",
                          p->terms[i].name);
  p->terms[i].weight = w;
  return PINN_SUCCESS;
}

double pinn_problem_term_weight(const pinn_problem *p, size_t i)
{
  return i < p->n_terms ? p->terms[i].weight : NAN;
}

static int set_points_impl(pinn_problem *p, size_t i, size_t n)
{
  if (!term_index_ok(p, i)) return p->err.code;
  if (pinn_term_ops_of_(p->terms[i].kind)->given)
    return pinn_error_set(&p->err, PINN_EINVAL, "term '%s' is a data term: its points are given",
                          p->terms[i].name);
  if (n < 1 || n > PINN_MAX_TERM_POINTS)
    return pinn_error_set(&p->err, PINN_EINVAL, "term '%s': point count must be 1 to 1e8, got %zu",
                          p->terms[i].name, n);
  p->terms[i].n_points = n;
  return PINN_SUCCESS;
}

size_t pinn_problem_term_points(const pinn_problem *p, size_t i)
{
  return i < p->n_terms ? p->terms[i].n_points : 0;
}

static int set_where_impl(pinn_problem *p, size_t i, pinn_where_fn fn, void *ctx)
{
  if (!term_index_ok(p, i)) return p->err.code;
  p->terms[i].where = fn;
  p->terms[i].where_ctx = ctx;
  return PINN_SUCCESS;
}

static int set_parts_impl(pinn_problem *p, size_t i, size_t nparts, const char *const *parts)
{
  if (!term_index_ok(p, i)) return p->err.code;
  pinn_term_def *t = &p->terms[i];
  const pinn_term_ops_ *ops = pinn_term_ops_of_(t->kind);
  if (ops->region != PINN_REGION_BOUNDARY || ops->paired)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "term '%s' is not a Dirichlet, Neumann or Robin term: only boundary "
                          "conditions take parts",
                          t->name);
  if (nparts > PINN_MAX_TERM_PARTS || (nparts && !parts))
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "term '%s': give 0..%d part names (got %zu%s); name a group of pieces "
                          "once with pinn_geom_name",
                          t->name, PINN_MAX_TERM_PARTS, nparts, parts ? "" : ", names NULL");
  for (size_t j = 0; j < nparts; ++j)
    if (!parts[j] || !parts[j][0] || strlen(parts[j]) >= sizeof t->parts[0])
      return pinn_error_set(&p->err, PINN_EINVAL,
                            "term '%s': part name %zu is empty, NULL or longer than %zu characters",
                            t->name, j, sizeof t->parts[0] - 1);
  pinn_error e;
  if (nparts && p->has_domain && pinn_domain_check_parts(&p->dom, nparts, parts, &e))
    return pinn_error_set(&p->err, e.code, "term '%s': %s", t->name, e.msg);
  for (size_t j = 0; j < nparts; ++j) snprintf(t->parts[j], sizeof t->parts[j], "%s", parts[j]);
  t->n_parts = nparts;
  return PINN_SUCCESS;
}

size_t pinn_problem_term_parts(const pinn_problem *p, size_t i, const char **names)
{
  if (!p || i >= p->n_terms) return 0;
  const pinn_term_def *t = &p->terms[i];
  for (size_t j = 0; names && j < t->n_parts; ++j) names[j] = t->parts[j];
  return t->n_parts;
}

static int keep_impl(pinn_problem *p, void *obj, void (*destroy)(void *))
{
  if (!obj || !destroy || p->n_kept >= PINN_MAX_KEPT) {
    if (obj && destroy) destroy(obj);
    return pinn_error_set(&p->err, PINN_EINVAL,
                          !obj || !destroy ? "problem '%s': keep needs an object and its destructor"
                                           : "problem '%s' keeps %d objects already; gather "
                                             "them in one struct",
                          p->name, PINN_MAX_KEPT);
  }
  p->kept[p->n_kept] = obj;
  p->kept_destroy[p->n_kept++] = destroy;
  return PINN_SUCCESS;
}

static int set_barrier_impl(pinn_problem *p, size_t i, const pinn_barrier *b)
{
  if (!term_index_ok(p, i)) return p->err.code;
  if (!pinn_term_ops_of_(p->terms[i].kind)->barrier)
    return pinn_error_set(&p->err, PINN_EINVAL, "term '%s' is not an obstacle term",
                          p->terms[i].name);
  if (!b || check_barrier(b, &p->err)) return b ? p->err.code : PINN_EINVAL;
  p->terms[i].barrier = *b;
  return PINN_SUCCESS;
}

int pinn_problem_set_sense(pinn_problem *p, size_t i, pinn_sense sense)
{
  if (!term_index_ok(p, i)) return p->err.code;
  pinn_term_def *t = &p->terms[i];
  if (!pinn_term_ops_of_(t->kind)->obstacle)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "term '%s' is not an obstacle or complementarity term: it has no sense",
                          t->name);
  if (sense != 1 && sense != -1)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "term '%s': sense must be +1 (u >= psi) or -1 (u <= psi), got %d",
                          t->name, sense);
  t->sense = sense;
  return PINN_SUCCESS;
}

int pinn_problem_term_sense(const pinn_problem *p, size_t i)
{
  if (i >= p->n_terms) return 0;
  const pinn_term_kind k = p->terms[i].kind;
  return pinn_term_ops_of_(k)->obstacle ? (int)p->terms[i].sense : 0;
}

const pinn_barrier *pinn_problem_term_barrier(const pinn_problem *p, size_t i)
{
  return i < p->n_terms ? &p->terms[i].barrier : NULL;
}

/* ------------------------------------------------------------ obstacle */

pinn_obstacle_spec pinn_obstacle_spec_default(void)
{
  pinn_obstacle_spec s;
  memset(&s, 0, sizeof s);
  s.sense = PINN_SENSE_LOWER;
  s.points = 1000;
  s.method = PINN_OBSTACLE_BOTH;
  s.rho = s.energy_rho = 1000.0;
  s.energy_weight_factor = 1.0;
  return s;
}

static int is_barrier_method(int m) { return m >= PINN_BARRIER_RELU2 && m <= PINN_BARRIER_SOFTPLUS; }

static int known_method(int m)
{
  return is_barrier_method(m) || m == PINN_OBSTACLE_COMPLEMENTARITY || m == PINN_OBSTACLE_BOTH;
}

/* The spec's barrier rho for a method (0: the complementarity alone has none). */
static double default_rho(const pinn_obstacle_spec *s, int method)
{
  return method == PINN_OBSTACLE_COMPLEMENTARITY ? 0.0
         : method == PINN_OBSTACLE_BOTH          ? s->rho
                                                 : s->energy_rho;
}

static int positive(double v) { return v > 0 && isfinite(v); }

static int check_obstacle_spec(pinn_problem *p, const pinn_obstacle_spec *s)
{
  if (!s) return pinn_error_set(&p->err, PINN_EINVAL, "the obstacle spec is NULL");
  if (s->output >= p->n_out)
    return pinn_error_set(&p->err, PINN_EINVAL, "obstacle: output %zu does not exist (the problem "
                          "has %zu)", s->output, p->n_out);
  if (s->sense != PINN_SENSE_LOWER && s->sense != PINN_SENSE_UPPER)
    return pinn_error_set(&p->err, PINN_EINVAL, "obstacle: sense must be +1 (u >= psi) or -1 "
                          "(u <= psi), got %d", (int)s->sense);
  if (!s->psi) return pinn_error_set(&p->err, PINN_EINVAL, "obstacle: psi is NULL");
  if (!known_method(s->method))
    return pinn_error_set(&p->err, PINN_EINVAL, "obstacle: unknown method %d: use a "
                          "pinn_barrier_kind, PINN_OBSTACLE_COMPLEMENTARITY or PINN_OBSTACLE_BOTH",
                          s->method);
  if (!positive(s->rho) || !positive(s->energy_rho) || !positive(s->energy_weight_factor))
    return pinn_error_set(&p->err, PINN_EINVAL, "obstacle: rho (%g), energy_rho (%g) and "
                          "energy_weight_factor (%g) must be finite and > 0", s->rho,
                          s->energy_rho, s->energy_weight_factor);
  if (s->points < 1 || s->points > PINN_MAX_TERM_POINTS)
    return pinn_error_set(&p->err, PINN_EINVAL, "obstacle: points must be 1 to 1e8, got %zu",
                          s->points);
  return PINN_SUCCESS;
}

/* Append the terms of `method` with barrier rho ("energy" or "pde", then
 * "obstacle"), each with the spec's points. */
static int add_obstacle_terms(pinn_problem *p, int method, double rho)
{
  const pinn_obstacle_spec *s = &p->ob;
  const size_t first = p->n_terms;
  int st;
  if (is_barrier_method(method)) {
    if (!s->energy)
      return pinn_error_set(&p->err, PINN_EINVAL,
                            "problem '%s' states no energy density (pinn_obstacle_spec.energy), so "
                            "it has no barrier form: use the complementarity",
                            p->name);
    st = add_residual_like(p, "energy", PINN_TERM_RESIDUAL, 0, s->n_energy, s->energy,
                           s->energy_needs, s->energy_ctx);
  } else {
    if (!s->residual)
      return pinn_error_set(&p->err, PINN_EINVAL,
                            "problem '%s' states no residual R (pinn_obstacle_spec.residual), so "
                            "it has no complementarity form: use a barrier",
                            p->name);
    st = add_complementarity_impl(p, "pde", s->output, s->residual, s->residual_needs,
                                  s->residual_ctx, s->psi, s->psi_ctx);
    if (!st) p->terms[p->n_terms - 1].sense = s->sense;
  }
  if (!st && method != PINN_OBSTACLE_COMPLEMENTARITY) {
    pinn_barrier b = pinn_barrier_default();
    b.kind = is_barrier_method(method) ? (pinn_barrier_kind)method : PINN_BARRIER_RELU2;
    b.rho = b.rho_max = rho;
    b.param = barrier_param(b.kind);
    st = add_obstacle_impl(p, "obstacle", s->output, s->sense, s->psi, s->psi_ctx, &b);
  }
  for (size_t i = first; !st && i < p->n_terms; ++i) st = set_points_impl(p, i, s->points);
  return st;
}

static int set_obstacle_impl(pinn_problem *p, const pinn_obstacle_spec *s)
{
  if (p->has_obstacle)
    return pinn_error_set(&p->err, PINN_EINVAL, "problem '%s' already states its obstacle (one "
                          "per problem)", p->name);
  int st = check_obstacle_spec(p, s);
  if (st) return st;
  const size_t first = p->n_terms;
  const double rho = default_rho(s, s->method);
  p->ob = *s;
  st = add_obstacle_terms(p, s->method, rho);
  if (st) {
    p->n_terms = first; /* obstacle terms own no memory */
    return st;
  }
  p->has_obstacle = 1;
  p->ob_first = first;
  p->ob_count = p->n_terms - first;
  p->ob_method = s->method;
  p->ob_rho = rho;
  return PINN_SUCCESS;
}

static int set_obstacle_method_impl(pinn_problem *p, int method, double penalty)
{
  if (!p->has_obstacle)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "problem '%s' has no obstacle (pinn_problem_set_obstacle): a barrier, "
                          "penalty or complementarity setting does not apply to it",
                          p->name);
  if (method == PINN_OBSTACLE_DEFAULT) method = p->ob.method;
  if (!known_method(method))
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "unknown obstacle method %d: use a pinn_barrier_kind (0 relu2, 1 relu, 2 "
                          "leaky, 3 softplus), PINN_OBSTACLE_COMPLEMENTARITY, PINN_OBSTACLE_BOTH "
                          "or PINN_OBSTACLE_DEFAULT",
                          method);
  if (!(penalty >= 0) || !isfinite(penalty))
    return pinn_error_set(&p->err, PINN_EINVAL, "obstacle penalty %g: give the barrier's rho > 0, "
                          "or 0 for the problem's default", penalty);
  const double rho = method == PINN_OBSTACLE_COMPLEMENTARITY ? 0.0
                     : penalty > 0                           ? penalty
                                                             : default_rho(&p->ob, method);
  if (method == p->ob_method && rho == p->ob_rho) return PINN_SUCCESS;
  /* drop the old block (the later terms move up), append the new one
   * (names are checked against every other term), then rotate it back to
   * where the old one was; on failure everything is put back */
  pinn_term_def keep[MAX_TERMS];
  const size_t n = p->n_terms, first = p->ob_first, tail = n - first - p->ob_count;
  memcpy(keep, p->terms, n * sizeof *keep);
  memmove(p->terms + first, p->terms + first + p->ob_count, tail * sizeof *keep);
  p->n_terms = first + tail;
  int st = add_obstacle_terms(p, method, rho);
  if (st) {
    memcpy(p->terms, keep, n * sizeof *keep);
    p->n_terms = n;
    return st;
  }
  const size_t count = p->n_terms - first - tail;
  pinn_term_def block[MAX_TERMS];
  memcpy(block, p->terms + first + tail, count * sizeof *block);
  memmove(p->terms + first + count, p->terms + first, tail * sizeof *block);
  memcpy(p->terms + first, block, count * sizeof *block);
  if (is_barrier_method(method) != is_barrier_method(p->ob_method)) {
    const double f = p->ob.energy_weight_factor;
    for (size_t i = 0; i < p->n_terms; ++i)
      if (i < first || i >= first + count)
        p->terms[i].weight = is_barrier_method(method) ? p->terms[i].weight * f
                                                       : p->terms[i].weight / f;
  }
  p->ob_count = count;
  p->ob_method = method;
  p->ob_rho = rho;
  return PINN_SUCCESS;
}

int pinn_problem_obstacle_method(const pinn_problem *p)
{
  return p && p->has_obstacle ? p->ob_method : PINN_OBSTACLE_DEFAULT;
}

double pinn_problem_obstacle_penalty(const pinn_problem *p)
{
  return p && p->has_obstacle ? p->ob_rho : 0.0;
}

int pinn_problem_set_exact(pinn_problem *p, pinn_solution_fn fn, void *ctx)
{
  p->exact = fn;
  p->exact_ctx = ctx;
  return PINN_SUCCESS;
}

int pinn_problem_has_exact(const pinn_problem *p) { return p->exact != NULL; }

int pinn_problem_exact(const pinn_problem *p, size_t n, const double *x, double *u,
                       pinn_error *err)
{
  if (!p) return pinn_error_set(err, PINN_EINVAL, "pinn_problem_exact: the problem is NULL");
  if (!p->exact)
    return pinn_error_set(err, PINN_EINVAL, "problem '%s' has no exact solution", p->name);
  size_t dim = pinn_problem_dim(p);
  for (size_t i = 0; i < n; ++i) {
    int r = p->exact(x + i * dim, u + i * p->n_out, p->exact_ctx);
    if (r)
      return pinn_error_set(err, PINN_ECALLBACK,
                            "problem '%s': the exact solution callback failed (%d) at point %zu",
                            p->name, r, i);
    for (size_t k = 0; k < p->n_out; ++k)
      if (!isfinite(u[i * p->n_out + k]))
        return pinn_error_set(err, PINN_ENONFINITE,
                              "problem '%s': the exact solution is not finite at point %zu",
                              p->name, i);
  }
  pinn_error_clear(err);
  return PINN_SUCCESS;
}

int pinn_problem_obstacle(const pinn_problem *p, size_t n, const double *x, double *psi,
                          pinn_error *err)
{
  if (!p) return pinn_error_set(err, PINN_EINVAL, "pinn_problem_obstacle: the problem is NULL");
  for (size_t i = 0; i < p->n_terms; ++i) {
    const pinn_term_def *t = &p->terms[i];
    if (!pinn_term_ops_of_(t->kind)->obstacle) continue;
    size_t dim = pinn_problem_dim(p);
    for (size_t j = 0; j < n; ++j) {
      int r = t->g(x + j * dim, psi + j, t->g_ctx);
      if (r)
        return pinn_error_set(err, PINN_ECALLBACK,
                              "term '%s': the obstacle callback failed (%d) at point %zu", t->name,
                              r, j);
    }
    pinn_error_clear(err);
    return PINN_SUCCESS;
  }
  return pinn_error_set(err, PINN_EINVAL, "problem '%s' has no obstacle", p->name);
}

static int cmp_double(const void *a, const void *b)
{
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int pinn_obstacle_contact(size_t n, const double *u, const double *psi, const double *lambda,
                          pinn_sense sense, double *contact, double *gap_tol, double *lambda_tol,
                          pinn_error *err)
{
  if (sense != 1 && sense != -1)
    return pinn_error_set(err, PINN_EINVAL,
                          "contact set: sense must be +1 (u >= psi) or -1 (u <= psi), got %d",
                          sense);
  if (n && (!u || !psi || !contact))
    return pinn_error_set(err, PINN_EINVAL, "contact set: NULL u, psi or contact array");
  double mx = 0;
  for (size_t j = 0; j < n; ++j)
    if (isfinite(psi[j]) && fabs(psi[j]) > mx) mx = fabs(psi[j]);
  /* with the multiplier the gap only guards against points where the PDE
   * fails: a looser tolerance, so a network's error does not punch holes */
  const double tg = (lambda ? 1e-2 : 1e-3) * (mx > 1 ? mx : 1);
  double tl = 0;
  if (lambda) {
    double *near = malloc((n ? n : 1) * sizeof *near);
    if (!near) return pinn_error_set(err, PINN_ENOMEM, "contact set: out of memory");
    size_t m = 0;
    for (size_t j = 0; j < n; ++j)
      if (sense * (u[j] - psi[j]) <= tg && !isnan(lambda[j])) near[m++] = lambda[j];
    if (m) {
      qsort(near, m, sizeof *near, cmp_double);
      if (near[m / 2] > 0) tl = 0.25 * near[m / 2];
    }
    free(near);
  }
  for (size_t j = 0; j < n; ++j) {
    if (isnan(u[j]) || isnan(psi[j]) || (lambda && isnan(lambda[j]))) {
      contact[j] = NAN;
      continue;
    }
    const int on = sense * (u[j] - psi[j]) <= tg && (!lambda || lambda[j] > tl);
    contact[j] = on ? 1.0 : 0.0;
  }
  if (gap_tol) *gap_tol = tg;
  if (lambda_tol) *lambda_tol = tl;
  pinn_error_clear(err);
  return PINN_SUCCESS;
}

static int set_reference_grid_impl(pinn_problem *p, const size_t *counts,
                                   const double *const *axes, const double *u)
{
  const size_t dim = pinn_problem_dim(p);
  if (!counts || !axes || !u)
    return pinn_error_set(&p->err, PINN_EINVAL, "reference grid: NULL argument");
  if (p->d > 3)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "reference grid: a problem in %zu space dimensions takes reference "
                          "points (pinn_problem_set_reference_points) instead of a grid",
                          p->d);
  size_t total = 1;
  for (size_t a = 0; a < dim; ++a) {
    if (counts[a] < 1 || counts[a] > 100000 || !axes[a])
      return pinn_error_set(&p->err, PINN_EINVAL,
                            "reference grid: axis %zu needs 1 to 100000 coordinates", a);
    for (size_t i = 1; i < counts[a]; ++i)
      if (!(axes[a][i] > axes[a][i - 1]))
        return pinn_error_set(&p->err, PINN_EINVAL,
                              "reference grid: axis %zu coordinates must increase", a);
    total *= counts[a];
  }
  if (total > 50000000)
    return pinn_error_set(&p->err, PINN_EINVAL, "reference grid: %zu points is too many", total);
  for (size_t i = 0; i < total * p->n_out; ++i)
    if (!isfinite(u[i]))
      return pinn_error_set(&p->err, PINN_EINVAL, "reference grid: value %zu is not finite", i);
  double *cu = malloc(total * p->n_out * sizeof *cu);
  double *ca[PINN_MAX_INPUTS] = {NULL};
  int fail = !cu;
  for (size_t a = 0; a < dim && !fail; ++a) {
    ca[a] = malloc(counts[a] * sizeof(double));
    if (!ca[a]) fail = 1;
    else memcpy(ca[a], axes[a], counts[a] * sizeof(double));
  }
  if (fail) {
    free(cu);
    for (int a = 0; a < PINN_MAX_INPUTS; ++a) free(ca[a]);
    return pinn_error_set(&p->err, PINN_ENOMEM, "out of memory");
  }
  memcpy(cu, u, total * p->n_out * sizeof *cu);
  for (int a = 0; a < PINN_MAX_INPUTS; ++a) {
    free(p->ref_axes[a]);
    p->ref_axes[a] = ca[a];
    p->ref_counts[a] = (size_t)a < dim ? counts[a] : 0;
  }
  free(p->ref_u);
  p->ref_u = cu;
  return PINN_SUCCESS;
}

int pinn_problem_reference_grid(const pinn_problem *p, size_t *counts, const double **axes,
                                const double **u)
{
  if (!p->ref_u) return 0;
  const size_t dim = pinn_problem_dim(p);
  for (size_t a = 0; a < dim; ++a) {
    if (counts) counts[a] = p->ref_counts[a];
    if (axes) axes[a] = p->ref_axes[a];
  }
  if (u) *u = p->ref_u;
  return 1;
}

/* Is x (dim values) inside the domain up to tol (absolute): the space part
 * by the signed distance, time by the interval. */
static int near_domain(const pinn_domain *dom, const double *x, double tol)
{
  if (pinn_domain_contains(dom, x)) return 1;
  if (dom->has_time && !(x[dom->d] >= dom->t0 - tol && x[dom->d] <= dom->t1 + tol)) return 0;
  return pinn_domain_signed_distance(dom, x) <= tol;
}

static int set_reference_points_impl(pinn_problem *p, size_t n, const double *x, const double *u)
{
  const size_t dim = pinn_problem_dim(p), n_out = p->n_out;
  if (!x || !u) return pinn_error_set(&p->err, PINN_EINVAL, "reference points: NULL argument");
  if (n < 1 || n > PINN_REFERENCE_MAX_POINTS)
    return pinn_error_set(&p->err, PINN_EINVAL, "reference points: %zu points; give 1 to %zu", n,
                          PINN_REFERENCE_MAX_POINTS);
  if (!p->has_domain)
    return pinn_error_set(&p->err, PINN_EINVAL,
                          "reference points: problem '%s' has no domain yet; call "
                          "pinn_problem_set_domain first",
                          p->name);
  double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS], len = 0;
  pinn_domain_bounds(&p->dom, lo, hi);
  for (size_t a = 0; a < dim; ++a) len = fmax(len, hi[a] - lo[a]);
  const double tol = PINN_REFERENCE_INSIDE_RTOL * len;
  for (size_t q = 0; q < n; ++q) {
    const double *xq = x + q * dim;
    for (size_t a = 0; a < dim; ++a)
      if (!isfinite(xq[a]))
        return pinn_error_set(&p->err, PINN_EINVAL,
                              "reference point %zu: coordinate %zu is not finite", q, a + 1);
    for (size_t k = 0; k < n_out; ++k)
      if (!isfinite(u[q * n_out + k]))
        return pinn_error_set(&p->err, PINN_EINVAL,
                              "reference point %zu: the value of %s is not finite", q,
                              p->out_names[k]);
    if (!near_domain(&p->dom, xq, tol)) {
      char at[160] = "";
      for (size_t a = 0, m = 0; a < dim; ++a)
        if (m < sizeof at)
          m += (size_t)snprintf(at + m, sizeof at - m, "%s%.9g", a ? ", " : "", xq[a]);
      return pinn_error_set(&p->err, PINN_EINVAL,
                            "reference point %zu (%s) lies outside the domain of problem '%s' "
                            "(tolerance %.3g); give points of the domain only, in its "
                            "coordinates (space, then time)",
                            q, at, p->name, tol);
    }
  }
  double *cx = malloc(n * dim * sizeof *cx), *cu = malloc(n * n_out * sizeof *cu);
  if (!cx || !cu) {
    free(cx);
    free(cu);
    return pinn_error_set(&p->err, PINN_ENOMEM, "out of memory for %zu reference points", n);
  }
  memcpy(cx, x, n * dim * sizeof *cx);
  memcpy(cu, u, n * n_out * sizeof *cu);
  free(p->ref_px);
  free(p->ref_pu);
  p->ref_px = cx;
  p->ref_pu = cu;
  p->ref_n = n;
  return PINN_SUCCESS;
}

size_t pinn_problem_reference_points(const pinn_problem *p, const double **x, const double **u)
{
  if (x) *x = p ? p->ref_px : NULL;
  if (u) *u = p ? p->ref_pu : NULL;
  return p ? p->ref_n : 0;
}

static int set_output_grid_impl(pinn_problem *p, const size_t *counts)
{
  const size_t dim = pinn_problem_dim(p);
  if (!counts) return pinn_error_set(&p->err, PINN_EINVAL, "output grid: counts is NULL");
  for (size_t a = 0; a < dim; ++a) {
    if (a >= 3 && a < p->d && counts[a] != 1)
      return pinn_error_set(&p->err, PINN_EINVAL,
                            "output grid: a problem in %zu space dimensions is written as the 3-D "
                            "slice through the middle of axes 3 and up; give axis %zu 1 point, "
                            "not %zu",
                            p->d, a, counts[a]);
    if (a >= 3 && a < p->d) continue;
    if (counts[a] < 2 || counts[a] > 100000)
      return pinn_error_set(&p->err, PINN_EINVAL,
                            "output grid: axis %zu needs 2 to 100000 points, got %zu", a,
                            counts[a]);
  }
  for (size_t a = 0; a < dim; ++a) p->out_grid[a] = counts[a];
  p->has_out_grid = 1;
  return PINN_SUCCESS;
}

void pinn_problem_output_grid(const pinn_problem *p, size_t *counts)
{
  const size_t dim = pinn_problem_dim(p);
  if (p->ref_u) {
    for (size_t a = 0; a < dim; ++a) counts[a] = p->ref_counts[a];
    return;
  }
  if (p->has_out_grid) {
    for (size_t a = 0; a < dim; ++a) counts[a] = p->out_grid[a];
    return;
  }
  static const size_t space[4] = {0, 201, 101, 41};
  for (size_t a = 0; a < p->d; ++a) counts[a] = p->d <= 3 ? space[p->d] : a < 3 ? 41 : 1;
  if (p->has_time) counts[p->d] = p->d <= 3 ? 51 : 21;
}

int pinn_problem_set_metrics(pinn_problem *p, pinn_metrics_fn fn, void *ctx)
{
  p->metrics = fn;
  p->metrics_ctx = ctx;
  return PINN_SUCCESS;
}

int pinn_problem_metrics(const pinn_problem *p, struct pinn_loss *l, pinn_metric *out, size_t max,
                         size_t *n, pinn_error *err)
{
  *n = 0;
  pinn_error_clear(err);
  if (!p->metrics) return PINN_SUCCESS;
  int r = p->metrics(l, out, max, n, p->metrics_ctx);
  if (*n > max) *n = max;
  if (r)
    return pinn_error_set(err, PINN_ECALLBACK, "problem '%s': the metrics callback failed (%d)",
                          p->name, r);
  return PINN_SUCCESS;
}

static int set_transform_impl(pinn_problem *p, const pinn_transform *t)
{
  pinn_error e;
  if (!t) return pinn_error_set(&p->err, PINN_EINVAL, "set_transform: NULL transform");
  if (pinn_transform_check(t, p->n_out, pinn_problem_dim(p), &e))
    return pinn_error_set(&p->err, e.code, "problem '%s': %s", p->name, e.msg);
  for (size_t i = 0; i < p->n_transforms; ++i)
    if (p->transforms[i].component == t->component) {
      if (t->kind == PINN_TRANSFORM_NONE) {
        memmove(&p->transforms[i], &p->transforms[i + 1],
                (p->n_transforms - i - 1) * sizeof *p->transforms);
        p->n_transforms--;
      } else {
        p->transforms[i] = *t;
      }
      return PINN_SUCCESS;
    }
  if (t->kind != PINN_TRANSFORM_NONE) p->transforms[p->n_transforms++] = *t;
  return PINN_SUCCESS;
}

size_t pinn_problem_n_transforms(const pinn_problem *p) { return p->n_transforms; }

const pinn_transform *pinn_problem_transform(const pinn_problem *p, size_t i)
{
  return i < p->n_transforms ? &p->transforms[i] : NULL;
}

/* ------------------------------------------------------- setup calls
 *
 * Every public setter and adder that can fail runs its *_impl above through
 * setup_call: its message names the call, and the first failure is kept as
 * the sticky setup error (pinn/problem.h). */

static int setup_begin(pinn_problem *p)
{
  if (!p) return PINN_EINVAL;
  pinn_error_clear(&p->err);
  return PINN_SUCCESS;
}

static int setup_call(pinn_problem *p, int st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int setup_call(pinn_problem *p, int st, const char *fmt, ...)
{
  if (!st) return PINN_SUCCESS;
  pinn_error call, what = p->err;
  va_list ap;
  va_start(ap, fmt);
  pinn_error_vset(&call, st, fmt, ap);
  va_end(ap);
  pinn_error_set(&p->err, st, "%s: %s", call.msg, what.msg[0] ? what.msg : pinn_strerror(st));
  pinn_error_set_first(&p->setup, st, "%s", p->err.msg);
  return st;
}

#define NAME_OF(s) ((s) ? (s) : "(null)")
/* call (a *_impl) only when p is not NULL, through setup_call */
#define SETUP(p, call, ...) (setup_begin(p) ? PINN_EINVAL : setup_call(p, call, __VA_ARGS__))

int pinn_problem_set_description(pinn_problem *p, const char *text)
{
  return SETUP(p, set_description_impl(p, text), "set_description");
}

int pinn_problem_set_output_names(pinn_problem *p, const char *names)
{
  return SETUP(p, set_output_names_impl(p, names), "set_output_names");
}

int pinn_problem_set_domain(pinn_problem *p, const pinn_domain *dom)
{
  return SETUP(p, set_domain_impl(p, dom), "set_domain");
}

int pinn_problem_add_coefficient(pinn_problem *p, const char *name, double initial, size_t *index)
{
  return SETUP(p, add_coefficient_impl(p, name, initial, index), "add_coefficient('%s')",
               NAME_OF(name));
}

int pinn_problem_set_coefficient_scale(pinn_problem *p, size_t j, double scale)
{
  return SETUP(p, set_coefficient_scale_impl(p, j, scale),
               "set_coefficient_scale(coefficient %zu)", j);
}

int pinn_problem_add_residual(pinn_problem *p, const char *name, size_t n_res,
                              pinn_residual_fn fn, unsigned needs, void *ctx)
{
  return SETUP(p, add_residual_like(p, name, PINN_TERM_RESIDUAL, 0, n_res, fn, needs, ctx),
               "add_residual('%s')", NAME_OF(name));
}

int pinn_problem_add_residual_any(pinn_problem *p, const char *name, size_t n_res,
                                  pinn_residual_any_fn fn, const char *derivs, void *ctx)
{
  return SETUP(p, add_residual_any_impl(p, name, PINN_TERM_RESIDUAL_ANY, n_res, fn, derivs, ctx),
               "add_residual_any('%s')", NAME_OF(name));
}

int pinn_problem_add_boundary_residual_any(pinn_problem *p, const char *name, size_t n_res,
                                           pinn_residual_any_fn fn, const char *derivs,
                                           void *ctx)
{
  return SETUP(p, add_residual_any_impl(p, name, PINN_TERM_BOUNDARY_ANY, n_res, fn, derivs, ctx),
               "add_boundary_residual_any('%s')", NAME_OF(name));
}

int pinn_problem_add_dirichlet(pinn_problem *p, const char *name, size_t k, pinn_scalar_fn g,
                               void *ctx)
{
  return SETUP(p, add_scalar_term(p, name, PINN_TERM_DIRICHLET, k, g, ctx), "add_dirichlet('%s')",
               NAME_OF(name));
}

int pinn_problem_add_neumann(pinn_problem *p, const char *name, size_t k, pinn_scalar_fn g,
                             void *ctx)
{
  return SETUP(p, add_scalar_term(p, name, PINN_TERM_NEUMANN, k, g, ctx), "add_neumann('%s')",
               NAME_OF(name));
}

int pinn_problem_add_robin(pinn_problem *p, const char *name, size_t k, double a, double b,
                           pinn_scalar_fn g, void *ctx)
{
  return SETUP(p, add_robin_impl(p, name, k, a, b, g, ctx), "add_robin('%s')", NAME_OF(name));
}

int pinn_problem_add_periodic(pinn_problem *p, const char *name, size_t k, size_t axis,
                              int derivative)
{
  return SETUP(p, add_periodic_impl(p, name, k, axis, derivative), "add_periodic('%s')",
               NAME_OF(name));
}

int pinn_problem_add_initial(pinn_problem *p, const char *name, size_t k, pinn_scalar_fn g,
                             void *ctx)
{
  return SETUP(p, add_scalar_term(p, name, PINN_TERM_INITIAL, k, g, ctx), "add_initial('%s')",
               NAME_OF(name));
}

int pinn_problem_add_initial_rate(pinn_problem *p, const char *name, size_t k, pinn_scalar_fn g,
                                  void *ctx)
{
  return SETUP(p, add_scalar_term(p, name, PINN_TERM_INITIAL_RATE, k, g, ctx),
               "add_initial_rate('%s')", NAME_OF(name));
}

int pinn_problem_add_data(pinn_problem *p, const char *name, size_t k, size_t n, const double *x,
                          const double *y)
{
  return SETUP(p, add_data_impl(p, name, k, n, x, y), "add_data('%s')", NAME_OF(name));
}

int pinn_problem_add_obstacle(pinn_problem *p, const char *name, size_t k, pinn_sense sense,
                              pinn_scalar_fn psi, void *ctx, const pinn_barrier *b)
{
  return SETUP(p, add_obstacle_impl(p, name, k, sense, psi, ctx, b), "add_obstacle('%s')",
               NAME_OF(name));
}

int pinn_problem_add_complementarity(pinn_problem *p, const char *name, size_t k,
                                     pinn_residual_fn fn, unsigned needs, void *ctx,
                                     pinn_scalar_fn psi, void *psi_ctx)
{
  return SETUP(p, add_complementarity_impl(p, name, k, fn, needs, ctx, psi, psi_ctx),
               "add_complementarity('%s')", NAME_OF(name));
}

int pinn_problem_set_obstacle(pinn_problem *p, const pinn_obstacle_spec *spec)
{
  return SETUP(p, set_obstacle_impl(p, spec), "set_obstacle");
}

int pinn_problem_set_obstacle_method(pinn_problem *p, int method, double penalty)
{
  return SETUP(p, set_obstacle_method_impl(p, method, penalty), "set_obstacle_method");
}

int pinn_problem_set_weight(pinn_problem *p, size_t i, double w)
{
  return SETUP(p, set_weight_impl(p, i, w), "set_weight(term %zu)", i);
}

int pinn_problem_set_points(pinn_problem *p, size_t i, size_t n)
{
  return SETUP(p, set_points_impl(p, i, n), "set_points(term %zu)", i);
}

int pinn_problem_set_where(pinn_problem *p, size_t i, pinn_where_fn fn, void *ctx)
{
  return SETUP(p, set_where_impl(p, i, fn, ctx), "set_where(term %zu)", i);
}

int pinn_problem_set_parts(pinn_problem *p, size_t i, size_t nparts, const char *const *parts)
{
  return SETUP(p, set_parts_impl(p, i, nparts, parts), "set_parts(term %zu)", i);
}

int pinn_problem_keep(pinn_problem *p, void *obj, void (*destroy)(void *))
{
  if (!p) {
    if (obj && destroy) destroy(obj);
    return PINN_EINVAL;
  }
  return SETUP(p, keep_impl(p, obj, destroy), "keep");
}

int pinn_problem_set_barrier(pinn_problem *p, size_t i, const pinn_barrier *b)
{
  return SETUP(p, set_barrier_impl(p, i, b), "set_barrier(term %zu)", i);
}

int pinn_problem_set_transform(pinn_problem *p, const pinn_transform *t)
{
  return SETUP(p, set_transform_impl(p, t), "set_transform");
}

int pinn_problem_set_reference_grid(pinn_problem *p, const size_t *counts,
                                    const double *const *axes, const double *u)
{
  return SETUP(p, set_reference_grid_impl(p, counts, axes, u), "set_reference_grid");
}

int pinn_problem_set_reference_points(pinn_problem *p, size_t n, const double *x,
                                      const double *u)
{
  return SETUP(p, set_reference_points_impl(p, n, x, u), "set_reference_points");
}

int pinn_problem_set_output_grid(pinn_problem *p, const size_t *counts)
{
  return SETUP(p, set_output_grid_impl(p, counts), "set_output_grid");
}

const char *pinn_input_name_(size_t d, int has_time, size_t i)
{
  static const char *const xyz[3] = {"x", "y", "z"};
  static const char *const xi[PINN_DOMAIN_MAX_DIM] = {"x0", "x1", "x2", "x3",
                                                      "x4", "x5", "x6", "x7"};
  _Static_assert(PINN_DOMAIN_MAX_DIM == 8, "one name per space axis");
  if (i < d && d <= 3) return xyz[i];
  if (i < d && d <= PINN_DOMAIN_MAX_DIM) return xi[i];
  if (i == d && has_time) return "t";
  return NULL;
}

const char *pinn_problem_input_name(const pinn_problem *p, size_t i)
{
  return p ? pinn_input_name_(p->d, p->has_time, i) : NULL;
}
