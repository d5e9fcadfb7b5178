// Unit tests for UCUM's grammar in values/units: prefixes, exponents, annotations, `10*n`,
// bracketed atoms and the clinical units (docs/units.md). Every expected factor is derived
// by hand from UCUM's definitions, in the base units s, g, m, mol, K, [iU] (the comment on
// each row gives the derivation); none is copied from Rubric's output.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "values/units.hpp"

namespace rubric {
namespace {

std::string digits(Int128 number) {
  std::string text;
  do {
    text.insert(text.begin(), static_cast<char>('0' + static_cast<int>(number % 10)));
    number /= 10;
  } while (number != 0);
  return text;
}

Decimal decimal(std::string_view text) {
  const std::optional<Decimal> parsed = Decimal::parse(text);
  INFO("parsing " << text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

// The dimension built from (time, mass, length, international unit, amount, temperature).
Dimension dimension(int time, int mass, int length, int amount, int temperature = 0) {
  Dimension result;
  result.exponents[0] = static_cast<std::int8_t>(time);
  result.exponents[1] = static_cast<std::int8_t>(mass);
  result.exponents[2] = static_cast<std::int8_t>(length);
  result.exponents[4] = static_cast<std::int8_t>(amount);
  result.exponents[5] = static_cast<std::int8_t>(temperature);
  return result;
}

std::string converted(std::string_view value, std::string_view from, std::string_view to) {
  const Unit* source = find_unit(from);
  const Unit* target = find_unit(to);
  REQUIRE(source != nullptr);
  REQUIRE(target != nullptr);
  const std::optional<Decimal> result = convert(decimal(value), *source, *target);
  return result ? result->to_string() : "null";
}

}  // namespace

TEST_CASE("UCUM clinical units have exact factors derived from UCUM's definitions",
          "[units][ucum]") {
  struct Row {
    std::string_view code;
    std::string_view factor;  // numerator/denominator in the base units
    Dimension dimension;
  };
  const Dimension volume_rate = dimension(-1, 0, 3, 0);
  const Dimension pressure = dimension(-2, 1, -1, 0);
  const Dimension concentration = dimension(0, 0, -3, 1);
  const Row rows[] = {
      // mmol/L = 10^-3 mol / 10^-3 m3 = 1 mol/m3.
      {"mmol/L", "1/1", concentration},
      {"mmol/l", "1/1", concentration},
      // umol/L = 10^-6 mol / 10^-3 m3 = 1/1000 mol/m3.
      {"umol/L", "1/1000", concentration},
      // meq/L: UCUM's eq is 1 mol, so meq/L = mmol/L.
      {"meq/L", "1/1", concentration},
      // mg/mmol = 10^-3 g / 10^-3 mol = 1 g/mol.
      {"mg/mmol", "1/1", dimension(0, 1, 0, -1)},
      // mmol/mol = 1/1000 (dimensionless).
      {"mmol/mol", "1/1000", Dimension{}},
      // mg/dL = 10^-3 g / 10^-4 m3 = 10 g/m3.
      {"mg/dL", "10/1", dimension(0, 1, -3, 0)},
      // g/L = 1 g / 10^-3 m3 = 1000 g/m3.
      {"g/L", "1000/1", dimension(0, 1, -3, 0)},
      // m[Hg] = 133.3220 kPa, so mm[Hg] = 133.322 Pa; Pa = kg/(m.s2) = 1000 g/(m.s2);
      // mm[Hg] = 133.322 x 1000 = 133322 g/(m.s2).
      {"mm[Hg]", "133322/1", pressure},
      // kPa = 1000 Pa = 10^6 g/(m.s2).
      {"kPa", "1000000/1", pressure},
      // m[H2O] = 9.80665 kPa, cm[H2O] = 98.0665 Pa = 98066.5 g/(m.s2) = 196133/2.
      {"cm[H2O]", "196133/2", pressure},
      // U = umol/min = 10^-6 mol / 60 s; U/L = 1/(60 x 10^6) / 10^-3 = 1/60000 mol/(s.m3).
      {"U/L", "1/60000", dimension(-1, 0, -3, 1)},
      {"U", "1/60000000", dimension(-1, 0, 0, 1)},
      // 10*9/L = 10^9 / 10^-3 m3 = 10^12 /m3; 10^9/L is the same.
      {"10*9/L", "1000000000000/1", dimension(0, 0, -3, 0)},
      {"10^9/L", "1000000000000/1", dimension(0, 0, -3, 0)},
      // 10*3/uL = 10^3 / 10^-9 m3 = 10^12 /m3.
      {"10*3/uL", "1000000000000/1", dimension(0, 0, -3, 0)},
      // 10*-3 = 1/1000.
      {"10*-3", "1/1000", Dimension{}},
      // mL/min/{1.73_m2}: the annotation is 1; 10^-6 m3 / 60 s = 1/60000000 m3/s.
      {"mL/min/{1.73_m2}", "1/60000000", volume_rate},
      {"mL/min", "1/60000000", volume_rate},
      // Annotations alone are the unit 1; {breaths}/min = 1/(60 s).
      {"{score}", "1/1", Dimension{}},
      {"{breaths}/min", "1/60", dimension(-1, 0, 0, 0)},
      {"/min", "1/60", dimension(-1, 0, 0, 0)},
      // An annotated unit is the unit: mL{total} = 10^-6 m3.
      {"mL{total}", "1/1000000", dimension(0, 0, 3, 0)},
      // [lb_av] = 7000 [gr] = 7000 x 64.79891 mg = 453.59237 g.
      {"[lb_av]", "45359237/100000", dimension(0, 1, 0, 0)},
      // [oz_av] = [lb_av]/16 = 28.349523125 g.
      {"[oz_av]", "45359237/1600000", dimension(0, 1, 0, 0)},
      // [in_i] = 2.54 cm = 127/5000 m; [ft_i] = 12 [in_i] = 0.3048 m.
      {"[in_i]", "127/5000", dimension(0, 0, 1, 0)},
      {"[ft_i]", "381/1250", dimension(0, 0, 1, 0)},
      // kcal = 1000 x 4.184 J; J = kg.m2/s2 = 1000 g.m2/s2.
      {"kcal", "4184000/1", dimension(-2, 1, 2, 0)},
      // daL = 10 L = 10^-2 m3 (two-letter prefix).
      {"daL", "1/100", dimension(0, 0, 3, 0)},
      // ym = 10^-24 m; 10*24 = 10^24.
      {"ym", "1/1000000000000000000000000", dimension(0, 0, 1, 0)},
      {"10*24", "1000000000000000000000000/1", Dimension{}},
      // K and mmol: base units with a prefix or not.
      {"K", "1/1", dimension(0, 0, 0, 0, 1)},
      {"nmol", "1/1000000000", dimension(0, 0, 0, 1)},
      {"[ppm]", "1/1000000", Dimension{}},
      // mg/(kg.d) = 10^-3 / (10^3 x 86400) g/(g.s) = 1/86400000000 /s.
      {"mg/(kg.d)", "1/86400000000", dimension(-1, 0, 0, 0)},
      // m2 with an exponent, and s-1 with a negative one.
      {"cm2", "1/10000", dimension(0, 0, 2, 0)},
      {"s-1", "1/1", dimension(-1, 0, 0, 0)},
  };
  for (const Row& row : rows) {
    INFO("unit: '" << row.code << "'");
    const Unit* unit = find_unit(row.code);
    REQUIRE(unit != nullptr);
    CHECK(digits(unit->factor.numerator) + "/" + digits(unit->factor.denominator) == row.factor);
    CHECK(unit->dimension == row.dimension);
    CHECK(unit->code == row.code);
  }
}

TEST_CASE("UCUM clinical units convert exactly within a dimension", "[units][ucum]") {
  CHECK(converted("5.2", "mmol/L", "umol/L") == "5200.0");
  CHECK(converted("5200", "umol/L", "mmol/L") == "5.2");
  CHECK(converted("140", "meq/L", "mmol/L") == "140.0");
  CHECK(converted("100", "mg/dL", "g/L") == "1.0");
  CHECK(converted("1.5", "g/L", "mg/dL") == "150.0");
  CHECK(converted("7.5", "10*9/L", "10*3/uL") == "7.5");
  CHECK(converted("7.5", "10*9/L", "/uL") == "7500.0");
  // 120 mm[Hg] = 120 x 133.322 Pa = 15998.64 Pa = 15.99864 kPa.
  CHECK(converted("120", "mm[Hg]", "kPa") == "15.99864");
  CHECK(converted("1", "[lb_av]", "g") == "453.59237");
  CHECK(converted("30", "mg/mmol", "g/mol") == "30.0");
  CHECK(converted("12", "{breaths}/min", "/min") == "12.0");
  CHECK(converted("90", "mL/min/{1.73_m2}", "mL/min") == "90.0");
  CHECK(converted("37", "Cel", "Cel") == "37.0");
  // Different dimensions never convert.
  CHECK(converted("5", "mmol/L", "mg/dL") == "null");
  CHECK(converted("5", "10*9/L", "mmol/L") == "null");
  CHECK(converted("5", "U/L", "mmol/L") == "null");
}

TEST_CASE("Celsius is accepted alone and never converted to kelvin", "[units][ucum]") {
  const Unit* celsius = find_unit("Cel");
  REQUIRE(celsius != nullptr);
  CHECK(celsius->dimension == Dimension::celsius_temperature());
  CHECK_FALSE(commensurable(*celsius, *find_unit("K")));
  CHECK(converted("37", "Cel", "K") == "null");
  REQUIRE(find_unit("Cel{oral}") != nullptr);
  CHECK(commensurable(*find_unit("Cel{oral}"), *celsius));
  // An affine unit takes no prefix, exponent or product.
  for (const std::string_view code : {"mCel", "Cel2", "Cel/h", "K.Cel", "/Cel", "(Cel)"}) {
    INFO(code);
    CHECK(find_unit(code) == nullptr);
  }
}

TEST_CASE("Dimensions of the new base units have readable names", "[units][ucum]") {
  CHECK(Dimension::amount_of_substance().name() == "amount of substance");
  CHECK(Dimension::temperature().name() == "temperature");
  CHECK(Dimension::celsius_temperature().name() == "Celsius temperature");
  CHECK(Dimension::catalytic_activity().name() == "catalytic activity");
  CHECK(find_unit("U")->dimension.name() == "catalytic activity");
  CHECK(find_unit("mmol")->dimension.name() == "amount of substance");
  CHECK(find_unit("mmol/L")->dimension.name() == "mol/m3");
  CHECK(find_unit("mg/mmol")->dimension.name() == "g/mol");
  CHECK(find_unit("mm[Hg]")->dimension.name() == "g/m/s2");
  CHECK(find_unit("U/L")->dimension.name() == "mol/m3/s");
}

TEST_CASE("Malformed, unknown and out-of-range UCUM units are refused", "[units][ucum]") {
  const std::string many_meters = [] {
    std::string text = "m";
    for (int count = 0; count < 200; ++count) {
      text += ".m";
    }
    return text;
  }();
  const std::string deep_parentheses = std::string(40, '(') + "m" + std::string(40, ')');
  const std::string long_annotation = "{" + std::string(100'000, 'x');
  for (const std::string_view code : {"mg//L",    "{unclosed",
                                      "10*",      "10^",
                                      "m[Hg",     "[lb_av",
                                      "mg/",      "/",
                                      "",         ".",
                                      "m.",       "m99",
                                      "m25",      "s-25",
                                      "Ym2",      "Ym.Ym",
                                      "10*39",    "10*9999999999",
                                      "[foo]",    "{a}{b}",
                                      "{a b}",    "{x}}",
                                      "mg}",      "0",
                                      "0/L",      "1000000000000000000000/L",
                                      "Cel{oral", "kmin",
                                      "m-",       "mm[Hg]]",
                                      "{}x",      "mg{",
                                      "m[Hg]{",   "()",
                                      "mmol/L)",  "(mmol/L",
                                      "yeers",    "mgg"}) {
    INFO("unit: '" << code << "'");
    CHECK(find_unit(code) == nullptr);
  }
  CHECK(find_unit(many_meters) == nullptr);  // an exponent beyond the representable
  CHECK(find_unit(deep_parentheses) == nullptr);
  CHECK(find_unit(long_annotation) == nullptr);
}

}  // namespace rubric
