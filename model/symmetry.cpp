#include "model/symmetry.hpp"

namespace wakecheck::model {

Symmetry::Symmetry(const Scenario& scenario, const std::vector<bool>& named) {
  (void)scenario;
  (void)named;
}

void Symmetry::canonicalize(const Scenario& scenario, StateRef state) const {
  (void)scenario;
  (void)state;
}

}  // namespace wakecheck::model
