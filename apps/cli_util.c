/* Shared helpers of the pinn command-line tool. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int pinn_cli_usage_error(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "pinn %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return 2;
}

int pinn_cli_parse_double(const char *s, double lo, double hi, double *out)
{
  if (!s || !*s) return -1;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (*end || errno || !isfinite(v) || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int pinn_cli_parse_size(const char *s, size_t lo, size_t hi, size_t *out)
{
  if (!s || !*s || *s == '-' || *s == '+') return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end || errno || v < lo || v > hi) return -1;
  *out = (size_t)v;
  return 0;
}

#include <dlfcn.h>
#include <string.h>

#include "problems.h"

int pinn_cli_create_problem(const char *cmd, const char *name, const char *plugin,
                            pinn_problem **p, pinn_solve_config *cfg, void **dl)
{
  pinn_problem_create_fn create = NULL;
  *dl = NULL;
  *p = NULL;
  if (plugin) {
    void *h = dlopen(plugin, RTLD_NOW | RTLD_LOCAL);
    if (!h)
      return pinn_cli_usage_error(cmd, "--plugin '%s': cannot load it: %s (give a path such as "
                                       "./my_problem.so, built with -shared -fPIC)",
                                  plugin, dlerror());
    void *sym = dlsym(h, "pinn_plugin_create");
    if (!sym) {
      dlclose(h);
      return pinn_cli_usage_error(cmd, "--plugin '%s' does not export pinn_plugin_create "
                                       "(int pinn_plugin_create(pinn_problem **, "
                                       "pinn_solve_config *, pinn_error *))",
                                  plugin);
    }
    memcpy(&create, &sym, sizeof create);
    *dl = h;
  } else {
    const pinn_bundled *b = pinn_bundled_find(name);
    if (!b) {
      char list[1024] = "";
      for (size_t i = 0; i < pinn_bundled_count(); ++i) {
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, pinn_bundled_get(i)->name, sizeof list - strlen(list) - 1);
      }
      return pinn_cli_usage_error(cmd, "unknown problem '%s': the bundled problems are %s", name,
                                  list);
    }
    if (!b->create)
      return pinn_cli_usage_error(cmd, "problem '%s' is not built into this pinn", name);
    create = b->create;
  }
  const char *who = plugin ? plugin : name;
  const char *fn = plugin ? "pinn_plugin_create" : "the create function";
  pinn_error err;
  pinn_error_clear(&err);
  int st = create(p, cfg, &err);
  char why[PINN_ERRMSG_SIZE + 160] = "";
  if (st)
    snprintf(why, sizeof why, "%s", err.msg[0] ? err.msg : "");
  if (st && !why[0])
    snprintf(why, sizeof why, "%s returned %d (%s) without a message", fn, st, pinn_strerror(st));
  if (!st && !*p) snprintf(why, sizeof why, "%s returned 0 but no problem", fn);
  if (!why[0] && pinn_problem_status(*p)) /* a setup call failed and its status was ignored */
    snprintf(why, sizeof why, "problem setup failed: %s", pinn_problem_setup_errmsg(*p));
  if (!why[0] && pinn_solve_check(*p, cfg, &err)) snprintf(why, sizeof why, "%s", err.msg);
  if (why[0]) {
    fprintf(stderr, "pinn %s: setting up '%s' failed: %s\n", cmd, who, why);
    if (*p) pinn_problem_free(*p);
    *p = NULL;
    pinn_cli_close_plugin(*dl);
    *dl = NULL;
    return 1;
  }
  return 0;
}

void pinn_cli_close_plugin(void *dl)
{
  if (dl) dlclose(dl);
}

/* ------------------------------------------------- input options */

int pinn_cli_input_of(const char *cmd, const pinn_problem *p, const char *opt, const char *arg,
                      const char *want)
{
  const char *eq = strchr(arg, '=');
  size_t i = 0, n = pinn_problem_dim(p);
  for (; eq && i < n; ++i) {
    const char *name = pinn_problem_input_name(p, i);
    if (strlen(name) == (size_t)(eq - arg) && !strncmp(arg, name, (size_t)(eq - arg))) break;
  }
  if (eq && i < n) return (int)i;
  char names[160] = "";
  for (size_t j = 0; j < n; ++j)
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", j ? ", " : "",
             pinn_problem_input_name(p, j));
  pinn_cli_usage_error(cmd, "%s %s: give %s with IN an input of problem '%s' (%s)", opt, arg,
                       want, pinn_problem_name(p), names);
  return -1;
}

int pinn_cli_fourier_axis(const char *cmd, const pinn_problem *p, const char *arg, pinn_fourier *f)
{
  const int i = pinn_cli_input_of(cmd, p, "--fourier-axis", arg, "IN=K");
  if (i < 0) return 2;
  size_t K;
  if (pinn_cli_parse_size(strchr(arg, '=') + 1, 0, PINN_MAX_HARMONICS, &K))
    return pinn_cli_usage_error(cmd, "--fourier-axis %s: K must be a count from 0 (none) to %d",
                                arg, PINN_MAX_HARMONICS);
  f->axis[i] = (unsigned)K;
  return 0;
}

int pinn_cli_fourier(const char *cmd, const char *arg, pinn_fourier *f)
{
  if (!strcmp(arg, "off")) arg = "m=0";
  char buf[256];
  if (strlen(arg) >= sizeof buf)
    return pinn_cli_usage_error(cmd, "--fourier: the value is too long; %s",
                                "give m=M,sigma=S[,seed=N]");
  snprintf(buf, sizeof buf, "%s", arg);
  int has_m = 0, has_sigma = 0;
  for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
    char *val = strchr(kv, '=');
    if (val) *val++ = '\0';
    size_t m;
    if (val && !strcmp(kv, "m")) {
      if (pinn_cli_parse_size(val, 0, PINN_MAX_FOURIER, &m))
        return pinn_cli_usage_error(cmd, "--fourier %s: m must be a count from 0 (none) to %d",
                                    arg, PINN_MAX_FOURIER);
      f->m = m;
      has_m = 1;
    } else if (val && !strcmp(kv, "sigma")) {
      if (pinn_cli_parse_double(val, 1e-300, 1e300, &f->sigma))
        return pinn_cli_usage_error(cmd, "--fourier %s: sigma must be a number > 0", arg);
      has_sigma = 1;
    } else if (val && !strcmp(kv, "seed")) {
      size_t seed; /* as --seed */
      if (pinn_cli_parse_size(val, 0, (size_t)-1 >> 1, &seed))
        return pinn_cli_usage_error(cmd, "--fourier %s: seed must be an integer >= 0", arg);
      f->seed = seed;
    } else {
      return pinn_cli_usage_error(cmd, "--fourier %s: unknown or empty setting '%s'; %s", arg,
                                  kv, "give m=M,sigma=S[,seed=N] or off");
    }
  }
  if (has_m && f->m == 0) { /* none: sigma and seed do not matter */
    f->sigma = 0.0;
    return 0;
  }
  if (!has_m || !has_sigma)
    return pinn_cli_usage_error(cmd, "--fourier %s: %s", arg,
                                "give both m and sigma: m=M,sigma=S[,seed=N] (or off)");
  return 0;
}
