// What a scenario's programs can do, found once when its model is built: the layout sizes a state
// by it (a scenario without timeouts stores no deadlines) and the rules skip what cannot happen.
#pragma once

#include <cstddef>
#include <vector>

#include "model/scenario.hpp"

namespace wakecheck::model {

struct Features {
  explicit Features(const Scenario& scenario);

  std::vector<bool> task_timers;  // per task: its program sleeps (sleep, select!, get_or_init)
  bool timers = false;
  std::size_t longest_sleep = 0;    // the longest timed sleep, in ticks (0: none)
  std::size_t longest_timeout = 0;  // the longest timed timeout, in ticks (0: none)
  bool aborts = false;
  bool once_cells = false;  // get_or_init
  bool ordered_sets = false;  // FuturesOrdered / buffered: a child's output may wait in its set
  bool guards = false;      // on_drop handlers
  bool join_macros = false; // join!
  std::size_t join_width = 0;
  bool blocks = false;      // block_in_place
  bool hands = false;       // hand_lock / await_lock
  bool failures = false;    // a modelling error is possible
  bool defers = false;      // the defer list is used (yield_now, a deferred coop wake)
  bool sets = false;        // FuturesUnordered / buffer_unordered
  bool notified_created = false;
  bool join_handles = false;  // `join T`: a finishing task wakes its joiners
  bool senders = false;       // a channel names its senders (it closes when they are gone)
  bool block_ons = false;     // futures::executor::block_on or a std lock: a blocked thread keeps its core
  std::vector<bool> adds_permits;  // per resource
  std::vector<bool> closes;        // per resource
  std::vector<bool> selects;       // per resource: a select! keeps a lock future on it
  std::vector<bool> pausable;      // per future: a pause can set its flag
  std::vector<bool> ready_selects;  // per task: an unbiased select! with a ready(()) branch
  // per task: the most branches of an unbiased select! over futures in its program (0: none);
  // every poll of the task may start such a select! at any of them
  std::vector<std::uint8_t> select_starts;
  bool select_preconditions = false;  // a select! branch has a precondition (`, if cond`)
  bool children = false;    // futures inside a task (join!, sets, select_all, select!)
  bool kept_futures = false;  // a select! may keep a lock future (`&mut fut`)
  std::vector<std::vector<bool>> watchers;  // per resource: the tasks that await `changed` on it
  bool single_worker = false;      // multi_thread with worker_threads = 1
  bool any_order = false;          // multi_thread with any number of workers: queues are sets
};

}  // namespace wakecheck::model
