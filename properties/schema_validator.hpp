// A small JSON Schema (draft-07) validator for the subset properties/schema.json uses, so that
// tests can hold the schema to the shipped property files and pin what it reports.
//
// Keywords: type (a name or an array of names; "integer" means a JSON integer, as the loader
// reads it: 1.0 is not one), properties, required, additionalProperties (a boolean or a schema),
// propertyNames, items (a schema, or an array for tuples), enum, const, minimum, maximum,
// minItems, maxItems, minLength, pattern (searched; properties/pattern.hpp: an ECMAScript subset,
// matched in linear time), not, oneOf, anyOf,
// $ref to "#" or "#/..." in the same document (as in draft-07, a $ref's siblings are ignored),
// and the boolean schemas true and false. Annotations (title, description, $schema, $id,
// default, examples, and editor extensions such as enumDescriptions and defaultSnippets) are
// ignored, except that a "patternErrorMessage" (VS Code's extension) replaces the generic
// message of a failed pattern. Any other keyword is ignored.
//
// Order: an object's own errors (an unknown key, then a missing required key) come before its
// members' errors, and members are visited in the document's order (nlohmann::json keeps keys
// sorted), so the error reported is the first one met in a pre-order walk. For oneOf and anyOf
// the error reported is that of the most specific alternative: those whose type does not fit
// are discarded; among objects, the alternative whose first required key the value has (its
// discriminator, such as "if" for an if statement) wins, and two such keys together are an
// error of their own; otherwise the alternative with the most of the value's keys, or else the
// deepest error, first alternative on ties.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace wakecheck::properties {

struct SchemaError {
  std::string pointer;  // JSON pointer of the offending value (for an unknown key: that member)
  std::string message;  // one line, saying what was expected
};

/// The first error in document order, or nullopt when `document` is valid. Throws
/// std::invalid_argument when the schema itself is malformed (a bad keyword value, a $ref that
/// does not resolve, a pattern properties/pattern.hpp rejects).
std::optional<SchemaError> validate_against_schema(const nlohmann::json& document, const nlohmann::json& schema);

}  // namespace wakecheck::properties
