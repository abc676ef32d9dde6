// What a step says about itself: one Effect per operation or scheduler action, its sentence
// built from the scenario's names. In the search a step narrates nothing: Text is then Silent,
// which every concatenation turns into nothing, so no string is ever built there.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "model/effect.hpp"
#include "model/scenario.hpp"

namespace wakecheck::model::rules {

/// What a step that does not narrate says: nothing. Appending to it, or it to anything, gives
/// nothing.
struct Silent {
  bool empty() const { return true; }
  template <class T>
  Silent& operator+=(const T&) {
    return *this;
  }
};
template <class T>
Silent operator+(Silent, const T&) {
  return {};
}
template <class T>
  requires(!std::is_same_v<T, Silent>)
Silent operator+(const T&, Silent) {
  return {};
}

/// The kind of an effect, its operation's word and its resource.
struct Tag {
  explicit Tag(EffectKind k, const char* word = "", std::optional<ResourceId> r = std::nullopt)
      : kind(k), op(word), resource(r) {}
  EffectKind kind;
  const char* op;
  std::optional<ResourceId> resource;
};

template <bool kNarrate>
class Narration {
 protected:
  using Text = std::conditional_t<kNarrate, std::string, Silent>;

  Narration(const Scenario& scenario, std::vector<Effect>* effects) : names_(scenario), effects_(effects) {}

  template <class... Parts>
  static Text text(const Parts&... parts) {
    if constexpr (kNarrate) {
      std::string out;
      ((out += parts), ...);
      return out;
    } else {
      return {};
    }
  }

  /// " for 15 ticks" (or `lead` and the count), or nothing for an untimed sleep (0).
  static Text ticks_words(std::uint8_t ticks, const char* lead = " for ") {
    if (ticks == 0) return text();
    return text(lead, std::to_string(ticks), ticks == 1 ? " tick" : " ticks");
  }

  /// One effect: its sentence is the parts; a leading Tag gives its kind, word and resource.
  template <class First, class... Parts>
  void say(const First& first, const Parts&... parts) {
    if constexpr (kNarrate) {
      Effect effect;
      if constexpr (std::is_same_v<First, Tag>) {
        effect.kind = first.kind;
        effect.op = first.op;
        effect.resource = first.resource;
        effect.text = prefix_;
      } else {
        effect.text = prefix_ + first;
      }
      ((effect.text += parts), ...);
      effect.branch = branch_;
      effect.handed_to = std::move(handed_);
      handed_.clear();
      effect.schedule = std::move(schedule_);
      schedule_.clear();
      effects_->push_back(std::move(effect));
    }
  }

  /// A timer entry of `t` changed (or time advanced): the next effect records it.
  void schedule_note(TaskId t, ScheduleChange change, std::uint8_t ticks = 0) {
    if constexpr (kNarrate) schedule_.push_back(ScheduleNote{t, change, ticks});
  }

  /// Choices noted after the step's last effect go with it.
  void flush_schedule_notes() {
    if constexpr (kNarrate) {
      if (schedule_.empty() || effects_->empty()) return;
      auto& last = effects_->back().schedule;
      last.insert(last.end(), schedule_.begin(), schedule_.end());
      schedule_.clear();
    }
  }

  /// A permit or a notification was handed to `t`: the next effect records it.
  void handed(TaskId t) {
    if constexpr (kNarrate) handed_.push_back(t);
  }

  /// From here until the returned value is restored, effects are a branch's (prefixed "c: ").
  std::optional<TaskId> enter_branch(TaskId c) {
    const auto was = branch_;
    branch_ = c;
    if constexpr (kNarrate) prefix_ = names_.task(c).name + ": ";
    return was;
  }
  void leave_branch(std::optional<TaskId> was) {
    branch_ = was;
    if constexpr (kNarrate) prefix_ = was ? names_.task(*was).name + ": " : std::string();
  }

  const std::string& name(TaskId t) const { return names_.task(t).name; }
  const std::string& name(ResourceId r) const { return names_.resource(r).name; }
  const std::string& future_name(std::size_t f) const { return names_.futures[f].name; }

 private:
  const Scenario& names_;
  std::vector<Effect>* effects_;
  std::optional<TaskId> branch_;
  std::string prefix_;
  std::vector<TaskId> handed_;
  std::vector<ScheduleNote> schedule_;
};

}  // namespace wakecheck::model::rules
