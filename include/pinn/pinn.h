/* libpinn — umbrella header: physics-informed neural networks in C.
 * Include this one header: #include <pinn/pinn.h>. */
#ifndef PINN_PINN_H
#define PINN_PINN_H

#include <pinn/status.h>
#include <pinn/activation.h>
#include <pinn/mlp.h>
#include <pinn/taylor.h>
#include <pinn/dual.h>
#include <pinn/sample.h>
#include <pinn/domain.h>
#include <pinn/geometry.h>
#include <pinn/problem.h>
#include <pinn/team.h>
#include <pinn/loss.h>
#include <pinn/linesearch.h>
#include <pinn/qn.h>
#include <pinn/lbfgs.h>
#include <pinn/ssqn.h>
#include <pinn/causal.h>
#include <pinn/balance.h>
#include <pinn/train.h>
#include <pinn/lsq.h>
#include <pinn/diagnostics.h>
#include <pinn/freeboundary.h>
#include <pinn/h5io.h>
#include <pinn/xdmf.h>
#include <pinn/xjet.h>
#include <pinn/tseries.h>
#include <pinn/transform.h>
#include <pinn/model.h>
#include <pinn/reference.h>
#include <pinn/output.h>
#include <pinn/params.h>
#include <pinn/solve.h>

#endif
