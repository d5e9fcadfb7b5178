// libFuzzer target: one standalone expression (engine/expression.hpp, `rubric expr`) with a
// few named values of different types in scope.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/expression.hpp"
#include "values/units.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rubric;
  static const std::vector<NamedValue> names = {
      {"a", Value::integer(7)},
      {"b", Value::decimal(*Decimal::parse("2.5"))},
      {"flag", Value::boolean(true)},
      {"s", Value::string("text")},
      {"t", Value::quantity(*Decimal::from_integer(3), *find_unit("days"))},
      {"dose", Value::quantity(*Decimal::from_integer(1000), *find_unit("mg/d"))},
      {"nothing", Value::null()},
  };
  SourceManager sources;
  const FileId file =
      sources.add("<expression>", std::string(reinterpret_cast<const char*>(data), size));
  Diagnostics diagnostics;
  const auto result = evaluate_expression(sources, file, names, diagnostics);
  (void)format_diagnostics(sources, diagnostics);
  if (!result && !diagnostics.has_errors()) {
    __builtin_trap();  // no value and no error
  }
  return 0;
}
