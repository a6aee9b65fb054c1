/* libpinn — umbrella header: physics-informed neural networks in C.
 * Include this one header: #include <pinn/pinn.h>. */
#ifndef PINN_PINN_H
#define PINN_PINN_H

#include <pinn/status.h>
#include <pinn/activation.h>
#include <pinn/mlp.h>

#endif
