// Symmetry over identical copies (model/symmetry.hpp): the representative of a state depends on
// its orbit alone, and canonicalizing a successor with its parent's fingerprints gives the same
// bytes as canonicalizing it from scratch.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <set>
#include <vector>

#include "tests/model/tokio_model_fixture.hpp"

using wakecheck::model::StateRef;
using wakecheck::model::Symmetry;

namespace {

using Bytes = std::vector<std::uint8_t>;

/// The seed on multi_thread with `n` identical workers (lock m, sleep, unlock m), all spawned in
/// one block, any of which the environment may pause once and drop once.
Scenario seed_with_copies(std::size_t n) {
  std::vector<Op> main_program{op(OpKind::kLock)};
  for (std::size_t i = 0; i < n; ++i) main_program.push_back(op(OpKind::kSpawn, worker_target(i)));
  main_program.push_back(op(OpKind::kYieldNow));
  main_program.push_back(op(OpKind::kUnlock));
  std::vector<TaskDef> tasks{task("main", main_program)};
  for (std::size_t i = 0; i < n; ++i) {
    tasks.push_back(task("worker" + std::to_string(i), {op(OpKind::kLock), op(OpKind::kSleep), op(OpKind::kUnlock)},
                         Wrapper::kPausable));
  }
  Scenario sc = scenario(tasks, Flavor::kMultiThread);
  for (std::size_t i = 1; i <= n; ++i) sc.tasks[i].group = "worker";
  for (const FaultKind kind : {FaultKind::kPause, FaultKind::kDrop}) {
    auto& budget = sc.faults[static_cast<std::size_t>(kind)];
    budget.budget = 1;
    budget.tasks.assign(sc.tasks.size(), false);
    budget.futures.assign(sc.futures.size(), false);
    for (std::size_t i = 1; i <= n; ++i) (kind == FaultKind::kDrop ? budget.tasks : budget.futures)[i] = true;
  }
  return sc;
}

TokioModel symmetric_seed(std::size_t n) {
  const TokioModel plain(seed_with_copies(n));
  return plain.with_symmetry(Symmetry(plain.scenario()));
}

/// Every state `model` reaches from its initial one, each put in canonical form by `symmetric`
/// when given, in breadth-first order.
std::vector<Bytes> reachable(const TokioModel& model, const TokioModel* symmetric) {
  const bool canonical = symmetric != nullptr;
  Bytes start(model.state_bytes());
  model.initial(start.data());
  if (canonical) symmetric->canonicalize(start.data());
  std::set<Bytes> seen{start};
  std::deque<Bytes> queue{start};
  std::vector<Bytes> out;
  std::vector<Event> events;
  while (!queue.empty()) {
    Bytes s = std::move(queue.front());
    queue.pop_front();
    events.clear();
    model.enabled(s.data(), events);
    for (const Event& e : events) {
      Bytes next(model.state_bytes());
      model.step(s.data(), e, next.data());
      if (canonical) symmetric->canonicalize(next.data());
      if (seen.insert(next).second) queue.push_back(next);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

TEST_GROUP(Symmetry) {};

TEST(Symmetry, TheSeedWithFourWorkersHasOneClassOfFourCopies) {
  const TokioModel model = symmetric_seed(4);
  UNSIGNED_LONGS_EQUAL(1, model.symmetry().classes().size());
  UNSIGNED_LONGS_EQUAL(4, model.symmetry().classes()[0].tasks.size());
}

TEST(Symmetry, ASuccessorCanonicalizedWithItsParentIsTheSameBytesAsFromScratch) {
  const TokioModel model = symmetric_seed(4);
  std::size_t successors = 0;
  std::vector<Event> events;
  for (const Bytes& parent : reachable(model, &model)) {
    events.clear();
    model.enabled(parent.data(), events);
    for (const Event& e : events) {
      Bytes scratch(model.state_bytes());
      model.step(parent.data(), e, scratch.data());
      Bytes incremental = scratch;
      model.canonicalize(scratch.data());
      model.canonicalize_successor(parent.data(), incremental.data());
      CHECK(scratch == incremental);
      ++successors;
    }
  }
  CHECK(successors > 1000);
}

TEST(Symmetry, ARepresentativeIsItsOwnRepresentative) {
  const TokioModel model = symmetric_seed(4);
  for (const Bytes& s : reachable(model, &model)) {
    Bytes again = s;
    model.canonicalize(again.data());
    CHECK(again == s);
  }
}

TEST(Symmetry, TheRepresentativesOfAllConcreteStatesAreTheStatesTheReducedSearchVisits) {
  // Three workers without the reduction: each concrete state's representative is one the reduced
  // search stores, and each state it stores is the representative of a concrete one. Were the
  // representative to depend on which copy is which, the concrete states of one orbit would give
  // several, and the reduced search would store them too.
  const TokioModel model = symmetric_seed(3);
  const std::vector<Bytes> reduced = reachable(model, &model);
  std::set<Bytes> representatives;
  const std::vector<Bytes> concrete = reachable(TokioModel(seed_with_copies(3)), nullptr);
  for (Bytes s : concrete) {
    model.canonicalize(s.data());
    representatives.insert(s);
  }
  const std::set<Bytes> stored(reduced.begin(), reduced.end());
  CHECK(representatives == stored);
  CHECK(concrete.size() > 2 * stored.size());
}
