/* libpinn — a problem's own parameters (see include/pinn/params.h). */
#include <pinn/params.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char key[PINN_PARAMS_MAX_KEY + 1];
  char value[PINN_PARAMS_MAX_VALUE + 1];
  int used;
} setting;

typedef struct {
  char key[PINN_PARAMS_MAX_KEY + 1];
  const char *kind;
  char def[48 + PINN_PARAMS_MAX_VALUE];
  char help[160];
} declared;

struct pinn_params {
  size_t n_set, n_decl;
  setting set[PINN_PARAMS_MAX];
  declared decl[PINN_PARAMS_MAX];
  pinn_error err; /* the first getter error (sticky) */
};

pinn_params *pinn_params_alloc(pinn_error *err)
{
  pinn_params *ps = calloc(1, sizeof *ps);
  if (!ps) pinn_error_set(err, PINN_ENOMEM, "out of memory for the problem's parameters");
  return ps;
}

void pinn_params_free(pinn_params *ps) { free(ps); }

static int valid_key(const char *k, size_t n)
{
  if (n == 0 || n > PINN_PARAMS_MAX_KEY) return 0;
  for (size_t i = 0; i < n; ++i)
    if (!isalnum((unsigned char)k[i]) && k[i] != '_') return 0;
  return 1;
}

int pinn_params_set(pinn_params *ps, const char *kv, pinn_error *err)
{
  const char *eq = kv ? strchr(kv, '=') : NULL;
  if (!ps || !eq || !valid_key(kv, (size_t)(eq - kv)))
    return pinn_error_set(err, PINN_EINVAL,
                          "parameter '%s': write KEY=VALUE, KEY of letters, digits and _ (at most "
                          "%d characters)",
                          kv ? kv : "(null)", PINN_PARAMS_MAX_KEY);
  if (strlen(eq + 1) > PINN_PARAMS_MAX_VALUE)
    return pinn_error_set(err, PINN_EINVAL, "parameter '%.*s': the value is longer than %d characters",
                          (int)(eq - kv), kv, PINN_PARAMS_MAX_VALUE);
  size_t i = 0;
  while (i < ps->n_set && (strlen(ps->set[i].key) != (size_t)(eq - kv) ||
                           strncmp(ps->set[i].key, kv, (size_t)(eq - kv)) != 0))
    ++i;
  if (i == ps->n_set) {
    if (ps->n_set == PINN_PARAMS_MAX)
      return pinn_error_set(err, PINN_EINVAL, "more than %d parameters set", PINN_PARAMS_MAX);
    memcpy(ps->set[i].key, kv, (size_t)(eq - kv));
    ps->set[i].key[eq - kv] = '\0';
    ps->n_set++;
  }
  snprintf(ps->set[i].value, sizeof ps->set[i].value, "%s", eq + 1);
  ps->set[i].used = 0;
  return PINN_SUCCESS;
}

/* Declare key (first read wins) and return its setting, or NULL. */
static setting *lookup(pinn_params *ps, const char *key, const char *kind, const char *def,
                       const char *help)
{
  if (!ps || !key) return NULL;
  size_t d = 0;
  while (d < ps->n_decl && strcmp(ps->decl[d].key, key) != 0) ++d;
  if (d == ps->n_decl && d < PINN_PARAMS_MAX) {
    snprintf(ps->decl[d].key, sizeof ps->decl[d].key, "%s", key);
    ps->decl[d].kind = kind;
    snprintf(ps->decl[d].def, sizeof ps->decl[d].def, "%s", def);
    snprintf(ps->decl[d].help, sizeof ps->decl[d].help, "%s", help ? help : "");
    ps->n_decl++;
  }
  for (size_t i = 0; i < ps->n_set; ++i)
    if (strcmp(ps->set[i].key, key) == 0) {
      ps->set[i].used = 1;
      return &ps->set[i];
    }
  return NULL;
}

static void first_error(pinn_params *ps, const char *key, const char *value, const char *what)
{
  if (!ps->err.code)
    pinn_error_set(&ps->err, PINN_EINVAL, "parameter '%s': '%s' is not %s", key, value, what);
}

double pinn_params_double(pinn_params *ps, const char *key, double def, const char *help)
{
  char d[48];
  snprintf(d, sizeof d, "%.17g", def);
  setting *s = lookup(ps, key, "double", d, help);
  if (!s) return def;
  char *end;
  errno = 0;
  const double v = strtod(s->value, &end);
  if (s->value[0] == '\0' || *end || errno == ERANGE || !isfinite(v)) {
    first_error(ps, key, s->value, "a finite number");
    return def;
  }
  return v;
}

long pinn_params_int(pinn_params *ps, const char *key, long def, const char *help)
{
  char d[48];
  snprintf(d, sizeof d, "%ld", def);
  setting *s = lookup(ps, key, "int", d, help);
  if (!s) return def;
  char *end;
  errno = 0;
  const long v = strtol(s->value, &end, 10);
  if (s->value[0] == '\0' || *end || errno == ERANGE) {
    first_error(ps, key, s->value, "an integer");
    return def;
  }
  return v;
}

const char *pinn_params_string(pinn_params *ps, const char *key, const char *def,
                               const char *help)
{
  setting *s = lookup(ps, key, "string", def ? def : "", help);
  return s ? s->value : def;
}

int pinn_params_status(const pinn_params *ps) { return ps ? ps->err.code : 0; }

const char *pinn_params_errmsg(const pinn_params *ps) { return ps ? ps->err.msg : ""; }

int pinn_params_check(const pinn_params *ps, pinn_error *err)
{
  if (!ps) return PINN_SUCCESS;
  if (ps->err.code) return pinn_error_set(err, ps->err.code, "%s", ps->err.msg);
  for (size_t i = 0; i < ps->n_set; ++i) {
    if (ps->set[i].used) continue;
    char list[512] = "";
    size_t len = 0;
    for (size_t d = 0; d < ps->n_decl && len + 1 < sizeof list; ++d)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", d ? ", " : "", ps->decl[d].key);
    return pinn_error_set(err, PINN_EINVAL, "no parameter '%s'; %s%s", ps->set[i].key,
                          ps->n_decl ? "the parameters are: " : "this problem has no parameters",
                          list);
  }
  return PINN_SUCCESS;
}

size_t pinn_params_declared(const pinn_params *ps) { return ps ? ps->n_decl : 0; }

const char *pinn_params_describe(const pinn_params *ps, size_t i, const char **kind,
                                 const char **def, const char **help)
{
  if (!ps || i >= ps->n_decl) return NULL;
  if (kind) *kind = ps->decl[i].kind;
  if (def) *def = ps->decl[i].def;
  if (help) *help = ps->decl[i].help;
  return ps->decl[i].key;
}
