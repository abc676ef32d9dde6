#include "properties/schema_validator.hpp"

#include <algorithm>
#include <cstddef>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "properties/pattern.hpp"
#include "properties/suggest.hpp"
#include "properties/text.hpp"

namespace wakecheck::properties {
namespace {

using nlohmann::json;
using Result = std::optional<SchemaError>;

// --- text --------------------------------------------------------------------------------------

std::string child(const std::string& pointer, const std::string& key) { return pointer + "/" + escape_pointer_token(key); }
std::string child(const std::string& pointer, std::size_t index) { return pointer + "/" + std::to_string(index); }

std::size_t depth_of(const std::string& pointer) {
  return static_cast<std::size_t>(std::count(pointer.begin(), pointer.end(), '/'));
}

/// User text inside a one-line message: control characters escaped, long text cut short.
std::string printable(const std::string& text) { return properties::printable(text, 60); }

/// A value as a message shows it: 'text', 12, true, null, or "an object" / "an array".
std::string shown(const json& value) {
  if (value.is_string()) return "'" + printable(value.get_ref<const std::string&>()) + "'";
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  return value.dump();
}

/// An enum or const value in a list of choices: strings bare, as the user would type them.
std::string bare(const json& value) {
  return value.is_string() ? printable(value.get_ref<const std::string&>()) : shown(value);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

/// "a", "a or b", "a, b or c".
std::string join_or(const std::vector<std::string>& items) { return join_list(items, " or "); }

std::string count_of(std::size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string type_phrase(const std::string& type) {
  if (type == "object") return "an object";
  if (type == "array") return "an array";
  if (type == "string") return "a string";
  if (type == "boolean") return "a boolean";
  if (type == "null") return "null";
  if (type == "number") return "a number";
  if (type == "integer") return "an integer";
  throw std::invalid_argument("schema: unknown type '" + type + "'");
}

std::string found_phrase(const json& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_number()) return "a number";
  return "null";
}

/// `loose`: "integer" accepts any number (to tell which alternative a value was meant for).
bool has_type(const json& value, const std::string& type, bool loose) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "number") return value.is_number();
  if (type == "integer") return loose ? value.is_number() : value.is_number_integer();
  throw std::invalid_argument("schema: unknown type '" + type + "'");
}

std::vector<std::string> type_list(const json& type) {
  std::vector<std::string> types;
  if (type.is_string()) {
    types.push_back(type.get<std::string>());
  } else if (type.is_array()) {
    for (const auto& t : type) {
      if (!t.is_string()) throw std::invalid_argument("schema: 'type' lists a non-string");
      types.push_back(t.get<std::string>());
    }
  } else {
    throw std::invalid_argument("schema: 'type' must be a string or an array of strings");
  }
  return types;
}

const json* keyword(const json& schema, const char* name) {
  if (!schema.is_object()) return nullptr;
  const auto it = schema.find(name);
  return it == schema.end() ? nullptr : &*it;
}

const json& array_keyword(const json& schema, const char* name) {
  const json& value = schema.at(name);
  if (!value.is_array()) throw std::invalid_argument(std::string("schema: '") + name + "' must be an array");
  return value;
}

double number_keyword(const json& schema, const char* name) {
  const json& value = schema.at(name);
  if (!value.is_number()) throw std::invalid_argument(std::string("schema: '") + name + "' must be a number");
  return value.get<double>();
}

std::size_t count_keyword(const json& schema, const char* name) {
  const json& value = schema.at(name);
  if (!value.is_number_unsigned()) {
    throw std::invalid_argument(std::string("schema: '") + name + "' must be a non-negative integer");
  }
  return value.get<std::size_t>();
}

/// Code points in UTF-8 text.
std::size_t length_of(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool same_kind(const json& a, const json& b) { return (a.is_number() && b.is_number()) || a.type() == b.type(); }

// --- the validator -------------------------------------------------------------------------------

class Validator {
 public:
  explicit Validator(const json& root) : root_(root) {}

  Result check(const json& value, const json& schema_or_ref, const std::string& at) {
    Nesting nesting(depth_);
    const json& schema = resolve(schema_or_ref);
    if (schema.is_boolean()) {
      if (schema.get<bool>()) return std::nullopt;
      return SchemaError{at, "no value is allowed here"};
    }
    if (!schema.is_object()) throw std::invalid_argument("schema: a schema must be an object or a boolean");

    if (const json* type = keyword(schema, "type")) {
      const auto types = type_list(*type);
      const bool fits = std::any_of(types.begin(), types.end(),
                                    [&](const std::string& t) { return has_type(value, t, false); });
      if (!fits) {
        std::vector<std::string> phrases;
        for (const auto& t : types) phrases.push_back(type_phrase(t));
        const bool wants_integer = std::find(types.begin(), types.end(), "integer") != types.end();
        const std::string found = value.is_number_float() && wants_integer ? value.dump() : found_phrase(value);
        return SchemaError{at, "expected " + join_or(phrases) + ", found " + found};
      }
    }
    if (const json* constant = keyword(schema, "const")) {
      if (value != *constant) return SchemaError{at, "expected " + shown(*constant) + ", found " + shown(value)};
    }
    if (keyword(schema, "enum") != nullptr) {
      if (auto error = check_enum(value, array_keyword(schema, "enum"), at)) return error;
    }
    if (value.is_number()) {
      if (auto error = check_range(value, schema, at)) return error;
    }
    if (value.is_string()) {
      if (auto error = check_string(value.get_ref<const std::string&>(), schema, at)) return error;
    }
    if (const json* negated = keyword(schema, "not")) {
      if (!check(value, *negated, at)) return SchemaError{at, not_message(value, resolve(*negated))};
    }
    if (value.is_array()) {
      if (auto error = check_size(value, schema, at)) return error;
    }
    if (value.is_object()) {
      if (auto error = check_keys(value, schema, at)) return error;
    }
    if (keyword(schema, "oneOf") != nullptr) {
      if (auto error = alternatives(value, array_keyword(schema, "oneOf"), at, true)) return error;
    }
    if (keyword(schema, "anyOf") != nullptr) {
      if (auto error = alternatives(value, array_keyword(schema, "anyOf"), at, false)) return error;
    }
    if (value.is_array()) return check_items(value, schema, at);
    if (value.is_object()) return check_members(value, schema, at);
    return std::nullopt;
  }

 private:
  /// Counts nested checks, so that a schema that refers to itself without consuming any of the
  /// document is reported instead of overflowing the stack.
  class Nesting {
   public:
    explicit Nesting(std::size_t& depth) : depth_(depth) {
      // Documents nest at most kMaxJsonDepth levels (the reader checks before this runs), and
      // each level takes a few checks (a $ref, a oneOf): far fewer than this.
      if (++depth_ > 2000) {
        --depth_;
        throw std::invalid_argument("schema: too deeply nested (a $ref cycle that consumes nothing?)");
      }
    }
    ~Nesting() { --depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    std::size_t& depth_;
  };

  /// Follows $ref (within this document) to the schema it names.
  const json& resolve(const json& schema) const {
    const json* at = &schema;
    for (int hops = 0; at->is_object() && at->contains("$ref"); ++hops) {
      if (hops > 64) throw std::invalid_argument("schema: a cycle of $ref");
      const json& ref = (*at)["$ref"];
      if (!ref.is_string() || ref.get_ref<const std::string&>().rfind('#', 0) != 0) {
        throw std::invalid_argument("schema: only local references (\"#/...\") are supported, found " + ref.dump());
      }
      const std::string target = ref.get<std::string>().substr(1);
      try {
        const json::json_pointer pointer(target);
        if (!root_.contains(pointer)) throw std::invalid_argument("schema: $ref " + ref.dump() + " does not resolve");
        at = &root_.at(pointer);
      } catch (const json::exception&) {
        throw std::invalid_argument("schema: $ref " + ref.dump() + " is not a JSON pointer");
      }
    }
    return *at;
  }

  const Pattern& compiled(const std::string& pattern) {
    auto it = patterns_.find(pattern);
    if (it == patterns_.end()) {
      try {
        it = patterns_.emplace(pattern, Pattern(pattern)).first;
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("schema: bad ") + e.what());
      }
    }
    return it->second;
  }

  // --- single keywords ---------------------------------------------------------------------------

  static Result check_enum(const json& value, const json& choices, const std::string& at) {
    if (std::find(choices.begin(), choices.end(), value) != choices.end()) return std::nullopt;
    std::vector<std::string> names;
    std::vector<std::string> strings;
    for (const auto& choice : choices) {
      names.push_back(bare(choice));
      if (choice.is_string()) strings.push_back(choice.get<std::string>());
    }
    std::string message = "expected one of: " + join(names) + "; found " + shown(value);
    if (value.is_string()) {
      if (const auto near = nearest_name(value.get_ref<const std::string&>(), strings)) {
        message += "; did you mean '" + printable(*near) + "'?";
      }
    }
    return SchemaError{at, message};
  }

  static Result check_range(const json& value, const json& schema, const std::string& at) {
    const json* low = keyword(schema, "minimum");
    const json* high = keyword(schema, "maximum");
    const double x = value.get<double>();
    const bool below = low != nullptr && x < number_keyword(schema, "minimum");
    const bool above = high != nullptr && x > number_keyword(schema, "maximum");
    if (!below && !above) return std::nullopt;
    if (low != nullptr && high != nullptr) {
      return SchemaError{at, "expected a number from " + low->dump() + " to " + high->dump() + ", found " + value.dump()};
    }
    if (below) return SchemaError{at, "expected a number of at least " + low->dump() + ", found " + value.dump()};
    return SchemaError{at, "expected a number of at most " + high->dump() + ", found " + value.dump()};
  }

  Result check_string(const std::string& text, const json& schema, const std::string& at) {
    if (keyword(schema, "minLength") != nullptr) {
      const std::size_t least = count_keyword(schema, "minLength");
      if (length_of(text) < least) {
        if (least == 1) return SchemaError{at, "expected a non-empty string"};
        return SchemaError{at, "expected a string of at least " + count_of(least, "character") + ", found " +
                                   shown(json(text))};
      }
    }
    if (const json* pattern = keyword(schema, "pattern")) {
      if (!pattern->is_string()) throw std::invalid_argument("schema: 'pattern' must be a string");
      if (!compiled(pattern->get<std::string>()).search(text)) {
        const json* custom = keyword(schema, "patternErrorMessage");
        const std::string expected = custom != nullptr && custom->is_string()
                                         ? custom->get<std::string>()
                                         : "expected a string matching " + pattern->get<std::string>();
        return SchemaError{at, expected + "; found " + shown(json(text))};
      }
    }
    return std::nullopt;
  }

  static std::string not_message(const json& value, const json& negated) {
    if (const json* choices = keyword(negated, "enum"); choices != nullptr && choices->is_array()) {
      std::vector<std::string> names;
      for (const auto& choice : *choices) names.push_back(bare(choice));
      return "expected none of: " + join(names) + "; found " + shown(value);
    }
    if (const json* constant = keyword(negated, "const")) return "expected anything but " + shown(*constant);
    return "found " + shown(value) + ", which is not allowed here";
  }

  static Result check_size(const json& value, const json& schema, const std::string& at) {
    if (keyword(schema, "minItems") != nullptr) {
      const std::size_t least = count_keyword(schema, "minItems");
      if (value.size() < least) {
        return SchemaError{at, "expected at least " + count_of(least, "item") + ", found " + std::to_string(value.size())};
      }
    }
    if (keyword(schema, "maxItems") != nullptr) {
      const std::size_t most = count_keyword(schema, "maxItems");
      if (value.size() > most) {
        return SchemaError{at, "expected at most " + count_of(most, "item") + ", found " + std::to_string(value.size())};
      }
    }
    return std::nullopt;
  }

  Result check_items(const json& value, const json& schema, const std::string& at) {
    const json* items = keyword(schema, "items");
    if (items == nullptr) return std::nullopt;
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (items->is_array()) {
        if (i >= items->size()) break;  // additionalItems is not supported: anything goes
        if (auto error = check(value[i], (*items)[i], child(at, i))) return error;
      } else if (auto error = check(value[i], *items, child(at, i))) {
        return error;
      }
    }
    return std::nullopt;
  }

  /// The object's own errors: an unknown key or a bad key name (in document order), then a
  /// missing required key (in the schema's order).
  Result check_keys(const json& value, const json& schema, const std::string& at) {
    const json* properties = keyword(schema, "properties");
    const json* additional = keyword(schema, "additionalProperties");
    const json* names = keyword(schema, "propertyNames");
    const bool closed = additional != nullptr && additional->is_boolean() && !additional->get<bool>();
    for (const auto& [key, member] : value.items()) {
      (void)member;
      const std::string p = child(at, key);
      const bool declared = properties != nullptr && properties->contains(key);
      if (!declared && closed) return SchemaError{p, unknown_key(key, properties)};
      if (names != nullptr) {
        if (auto error = check(json(key), *names, p)) return SchemaError{p, error->message};
      }
    }
    if (keyword(schema, "required") != nullptr) {
      for (const auto& name : array_keyword(schema, "required")) {
        if (!name.is_string()) throw std::invalid_argument("schema: 'required' lists a non-string");
        if (!value.contains(name.get<std::string>())) {
          return SchemaError{at, "missing required key '" + printable(name.get<std::string>()) + "'"};
        }
      }
    }
    return std::nullopt;
  }

  static std::string unknown_key(const std::string& key, const json* properties) {
    std::vector<std::string> allowed;
    if (properties != nullptr) {
      for (const auto& [name, sub] : properties->items()) {
        (void)sub;
        allowed.push_back(name);
      }
    }
    std::string message = "unknown key '" + printable(key) + "'";
    if (const auto near = nearest_name(key, allowed)) return message + "; did you mean '" + printable(*near) + "'?";
    if (allowed.empty()) return message + "; no keys are allowed here";
    return message + "; expected one of: " + join(allowed);
  }

  Result check_members(const json& value, const json& schema, const std::string& at) {
    const json* properties = keyword(schema, "properties");
    const json* additional = keyword(schema, "additionalProperties");
    for (const auto& [key, member] : value.items()) {
      const std::string p = child(at, key);
      if (properties != nullptr && properties->contains(key)) {
        if (auto error = check(member, (*properties)[key], p)) return error;
      } else if (additional != nullptr) {
        if (auto error = check(member, *additional, p)) return error;
      }
    }
    return std::nullopt;
  }

  // --- oneOf and anyOf -----------------------------------------------------------------------------

  Result alternatives(const json& value, const json& branches, const std::string& at, bool exactly_one) {
    std::vector<Result> errors;
    std::vector<std::string> matching;
    for (std::size_t i = 0; i < branches.size(); ++i) {
      errors.push_back(check(value, branches[i], at));
      if (!errors.back()) matching.push_back(std::to_string(i + 1));
    }
    if (matching.size() == 1 || (!exactly_one && !matching.empty())) return std::nullopt;
    if (!matching.empty()) {
      return SchemaError{at, "expected exactly one alternative to match, found " + std::to_string(matching.size()) +
                                 " (alternatives " + join(matching) + ")"};
    }
    return most_specific(value, branches, errors, at);
  }

  /// Whether `value` is of a type the alternative is about (its errors then say something useful).
  bool fits(const json& value, const json& schema_or_ref) const {
    const json& schema = resolve(schema_or_ref);
    if (schema.is_boolean()) return schema.get<bool>();
    if (const json* type = keyword(schema, "type")) {
      const auto types = type_list(*type);
      return std::any_of(types.begin(), types.end(), [&](const std::string& t) { return has_type(value, t, true); });
    }
    if (const json* constant = keyword(schema, "const")) return same_kind(value, *constant);
    if (const json* choices = keyword(schema, "enum"); choices != nullptr && choices->is_array()) {
      return std::any_of(choices->begin(), choices->end(), [&](const json& c) { return same_kind(value, c); });
    }
    for (const char* combined : {"oneOf", "anyOf"}) {
      if (const json* list = keyword(schema, combined); list != nullptr && list->is_array()) {
        return std::any_of(list->begin(), list->end(), [&](const json& b) { return fits(value, b); });
      }
    }
    return true;
  }

  /// What the alternatives expect at their top, for "expected a string or an object".
  bool expectations(const json& schema_or_ref, std::vector<std::string>& out) const {
    const json& schema = resolve(schema_or_ref);
    auto add = [&out](const std::string& phrase) {
      if (std::find(out.begin(), out.end(), phrase) == out.end()) out.push_back(phrase);
    };
    if (const json* type = keyword(schema, "type")) {
      for (const auto& t : type_list(*type)) add(type_phrase(t));
      return true;
    }
    if (const json* constant = keyword(schema, "const")) {
      add(shown(*constant));
      return true;
    }
    if (const json* choices = keyword(schema, "enum"); choices != nullptr && choices->is_array()) {
      for (const auto& c : *choices) add(shown(c));
      return true;
    }
    for (const char* combined : {"oneOf", "anyOf"}) {
      if (const json* list = keyword(schema, combined); list != nullptr && list->is_array()) {
        bool known = true;
        for (const auto& b : *list) known = expectations(b, out) && known;
        return known;
      }
    }
    return false;
  }

  /// An object alternative's discriminator: its first required key.
  std::optional<std::string> discriminator(const json& schema_or_ref) const {
    const json& schema = resolve(schema_or_ref);
    const json* required = keyword(schema, "required");
    if (required == nullptr || !required->is_array() || required->empty() || !(*required)[0].is_string()) {
      return std::nullopt;
    }
    return (*required)[0].get<std::string>();
  }

  std::size_t declared_keys(const json& value, const json& schema_or_ref) const {
    const json* properties = keyword(resolve(schema_or_ref), "properties");
    if (properties == nullptr) return 0;
    std::size_t n = 0;
    for (const auto& [key, member] : value.items()) {
      (void)member;
      if (properties->contains(key)) ++n;
    }
    return n;
  }

  Result most_specific(const json& value, const json& branches, const std::vector<Result>& errors,
                       const std::string& at) const {
    std::vector<std::size_t> fitting;
    for (std::size_t i = 0; i < branches.size(); ++i) {
      if (fits(value, branches[i])) fitting.push_back(i);
    }
    if (fitting.empty()) {
      std::vector<std::string> expected;
      bool known = true;
      for (const auto& b : branches) known = expectations(b, expected) && known;
      if (known && !expected.empty()) return SchemaError{at, "expected " + join_or(expected) + ", found " + found_phrase(value)};
      return SchemaError{at, "found " + found_phrase(value) + ", which matches none of the " +
                                 std::to_string(branches.size()) + " alternatives"};
    }
    if (fitting.size() == 1) return errors[fitting.front()];
    if (value.is_object()) {
      std::vector<std::string> keys;  // the discriminators, in the alternatives' order
      std::vector<std::pair<std::size_t, std::string>> claimed;
      for (std::size_t i : fitting) {
        const auto key = discriminator(branches[i]);
        if (!key) continue;
        if (std::find(keys.begin(), keys.end(), *key) == keys.end()) keys.push_back(*key);
        if (value.contains(*key)) claimed.emplace_back(i, *key);
      }
      if (claimed.size() >= 2 && claimed[0].second != claimed[1].second) {
        return SchemaError{child(at, claimed[1].second), "expected either '" + printable(claimed[0].second) + "' or '" +
                                                             printable(claimed[1].second) + "', not both"};
      }
      if (!claimed.empty()) {
        std::vector<std::size_t> claimers;
        for (const auto& c : claimed) claimers.push_back(c.first);
        return deepest(claimers, errors);
      }
      // No discriminator: the alternatives that know the most of the value's keys.
      std::vector<std::size_t> best;
      std::size_t best_count = 0;
      for (std::size_t i : fitting) {
        const std::size_t n = declared_keys(value, branches[i]);
        if (n > best_count) best.clear();
        if (n >= best_count && n > 0) {
          best.push_back(i);
          best_count = n;
        }
      }
      if (best.size() == 1) return errors[best.front()];
      if (!best.empty()) {
        std::vector<std::string> missing;
        for (std::size_t i : best) {
          const auto key = discriminator(branches[i]);
          if (key && std::find(missing.begin(), missing.end(), *key) == missing.end()) missing.push_back(*key);
        }
        if (missing.size() == best.size()) return SchemaError{at, "missing required key: one of " + join(missing)};
        return deepest(best, errors);
      }
      if (!keys.empty()) {
        if (value.empty()) return SchemaError{at, "expected an object with one of the keys: " + join(keys) + "; found an empty object"};
        const std::string& first = value.begin().key();
        std::string message = "unknown key '" + printable(first) + "'";
        if (const auto near = nearest_name(first, keys)) {
          message += "; did you mean '" + printable(*near) + "'?";
        } else {
          message += "; expected one of: " + join(keys);
        }
        return SchemaError{child(at, first), message};
      }
    }
    return deepest(fitting, errors);
  }

  /// The error of the alternative that got deepest into the value; the first one on ties.
  static Result deepest(const std::vector<std::size_t>& candidates, const std::vector<Result>& errors) {
    std::size_t best = candidates.front();
    for (std::size_t i : candidates) {
      if (depth_of(errors[i]->pointer) > depth_of(errors[best]->pointer)) best = i;
    }
    return errors[best];
  }

  const json& root_;
  std::map<std::string, Pattern> patterns_;
  std::size_t depth_ = 0;
};

}  // namespace

std::optional<SchemaError> validate_against_schema(const nlohmann::json& document, const nlohmann::json& schema) {
  Validator validator(schema);
  return validator.check(document, schema, "");
}

}  // namespace wakecheck::properties
