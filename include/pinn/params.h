/* libpinn — a problem's own parameters: key=value settings that a plugin (or
 * a bundled problem) reads in its create function with typed getters, so a
 * user switches variants from the command line instead of editing C or
 * reading environment variables:
 *
 *   pinn solve --plugin ./p.so --set nu=0.01 --set variant=hard
 *
 *   int pinn_plugin_create(pinn_problem **out, pinn_solve_config *cfg, pinn_error *err)
 *   {
 *     double nu = pinn_params_double(cfg->params, "nu", 0.01, "viscosity");
 *     const char *v = pinn_params_string(cfg->params, "variant", "soft",
 *                                        "soft or hard boundary conditions");
 *     ...
 *
 * A getter returns the value set for its key, parsed strictly (the whole
 * text: a finite number for double, an integer in range for int), or the
 * default when the key was not set.  Every getter call declares its key,
 * kind, default and help text, so the caller can list the parameters
 * (`pinn solve --plugin ./p.so --help`).  Errors are sticky and never
 * abort: a malformed value makes the getter return the default and records
 * "parameter 'nu': '0.x' is not a number" (pinn_params_status); after the
 * create function, pinn_params_check refuses keys that were set but never
 * read ("no parameter 'nux'; the parameters are: nu, variant").  A NULL
 * params (no --set given, or a caller that has none) is valid: every getter
 * returns its default.
 */
#ifndef PINN_PARAMS_H
#define PINN_PARAMS_H

#include <stddef.h>
#include <pinn/status.h>

PINN_BEGIN_DECLS

/* Longest key and value (characters). */
#define PINN_PARAMS_MAX_KEY 63
#define PINN_PARAMS_MAX_VALUE 255
/* Most keys set or declared. */
#define PINN_PARAMS_MAX 64

typedef struct pinn_params pinn_params;

/* A new, empty set; NULL with err filled when out of memory. */
pinn_params *pinn_params_alloc(pinn_error *err);
void pinn_params_free(pinn_params *ps);

/* Set from "key=value" (key: [A-Za-z0-9_]+, value: any text, may be
 * empty); a later setting of a key replaces the earlier.  Returns 0 or
 * PINN_EINVAL with err saying what to write. */
int pinn_params_set(pinn_params *ps, const char *key_value, pinn_error *err);

/* Typed getters (see the file comment); help may be NULL.  ps may be NULL. */
double pinn_params_double(pinn_params *ps, const char *key, double def, const char *help);
long pinn_params_int(pinn_params *ps, const char *key, long def, const char *help);
/* The returned text is owned by ps (or is def) and lives as long as ps. */
const char *pinn_params_string(pinn_params *ps, const char *key, const char *def,
                               const char *help);

/* The first error of a getter (0 when none) and its message ("" when none). */
int pinn_params_status(const pinn_params *ps);
const char *pinn_params_errmsg(const pinn_params *ps);

/* After the create function: 0, the getters' first error, or PINN_EINVAL
 * for a key that was set but never read (the message lists the declared
 * parameters), with err filled. */
int pinn_params_check(const pinn_params *ps, pinn_error *err);

/* The parameters declared so far, in the order first read: kind "double",
 * "int" or "string", the default as text, the help ("" when none).
 * pinn_params_declared returns their number; _describe one of them (NULL
 * past the end). */
size_t pinn_params_declared(const pinn_params *ps);
const char *pinn_params_describe(const pinn_params *ps, size_t i, const char **kind,
                                 const char **def, const char **help);

PINN_END_DECLS
#endif
