// The mot mode of picket eval. Replaced by the layer that provides the metrics.
#include <fmt/format.h>

#include "commands.h"
#include "eval_modes.h"

namespace picket::app {

int run_mot_eval(const EvalOptions&) {
  fmt::print(stderr, "picket eval: this mode is not part of this build yet\n");
  return kExitFailure;
}

}  // namespace picket::app
