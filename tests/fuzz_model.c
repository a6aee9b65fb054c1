/* libFuzzer target for the model loader: every input is written to a
 * temporary file and handed to pinn_model_load, which must return a network
 * or NULL with a message, never crash, hang or read out of bounds.
 *
 * Built and run by tests/fuzz.cmake (ctest -L fuzz) with clang
 * -fsanitize=fuzzer,address,undefined.  With PINN_FUZZ_SEED_DIR set,
 * LLVMFuzzerInitialize first saves a few valid models there (every activation
 * kind, per-layer and per-unit PReLU, a problem's names and bounds) as the
 * seed corpus. */
#define _POSIX_C_SOURCE 200809L
#include <pinn/model.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_path[4096];

static void write_seeds(const char *dir)
{
  static const char *const acts[][3] = {{"tanh", "gelu", "sin"},
                                        {"prelu:0.3", "softplus:2", "silu"},
                                        {"leaky:0.1", "relu", "sigmoid"},
                                        {"identity", "prelu", "tanh"}};
  for (size_t s = 0; s < sizeof acts / sizeof acts[0]; ++s) {
    pinn_activation a[3];
    for (int l = 0; l < 3; ++l) pinn_activation_parse(acts[s][l], &a[l], NULL);
    size_t sizes[5] = {1 + s % 3, 4, 3, 5, 1 + s % 2};
    pinn_mlp_layout lay = {5, sizes, a, (int)(s % 2), NULL};
    pinn_mlp *net = pinn_mlp_alloc(&lay, NULL);
    if (!net) continue;
    double *th = pinn_mlp_params(net);
    for (size_t i = 0; i < pinn_mlp_n_params(net); ++i) th[i] = 0.01 * (double)(i % 97) - 0.4;
    pinn_problem *p = NULL;
    if (s == 1) {
      p = pinn_problem_alloc("seed", 1, 1, 2, NULL);
      pinn_domain dom;
      pinn_domain_interval(&dom, -1, 1, NULL);
      pinn_domain_with_time(&dom, 0, 2, NULL);
      pinn_problem_set_domain(p, &dom);
      pinn_problem_set_output_names(p, "u,v");
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/seed%zu.h5", dir, s);
    pinn_model_save(path, net, p, NULL);
    pinn_problem_free(p);
    pinn_mlp_free(net);
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  const char *seeds = getenv("PINN_FUZZ_SEED_DIR");
  if (seeds && seeds[0]) write_seeds(seeds);
  const char *tmp = getenv("TMPDIR");
  snprintf(g_path, sizeof g_path, "%s/pinn-fuzz-model-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
  int fd = mkstemp(g_path);
  if (fd < 0) {
    perror("fuzz_model: mkstemp");
    abort();
  }
  close(fd);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  FILE *f = fopen(g_path, "wb");
  if (!f) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  fclose(f);
  pinn_error e;
  pinn_mlp *net = pinn_model_load(g_path, &e);
  if (net) {
    /* a loaded network is usable */
    double x[PINN_MAX_INPUTS] = {0.5, -0.25, 0.125, 0, 0, 0, 0, 0};
    double *out = malloc(pinn_mlp_n_out(net) * sizeof *out);
    if (!out || pinn_mlp_eval(net, 1, x, out) != 0) abort();
    free(out);
    pinn_mlp_free(net);
  } else if (e.code == 0 || e.msg[0] == '\0') {
    abort(); /* a failure must say why */
  }
  return 0;
}
