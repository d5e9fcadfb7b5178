// Unit tests for values/units: UCUM codes and calendar words, exact factors, conversion and
// exact comparison of quantities.
#include <catch2/catch.hpp>
#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "values/units.hpp"

namespace rubric {
namespace {

const Unit& unit(std::string_view text) {
  const Unit* found = find_unit(text);
  INFO("unit: '" << text << "'");
  REQUIRE(found != nullptr);
  return *found;
}

Decimal decimal(std::string_view text) {
  const std::optional<Decimal> parsed = Decimal::parse(text);
  INFO("parsing " << text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

std::string text(const std::optional<Decimal>& value) {
  return value ? value->to_string() : "null";
}

// The factor as "numerator/denominator".
std::string factor(std::string_view code) {
  const Factor& value = unit(code).factor;
  const auto to_text = [](Int128 number) {
    std::string digits;
    do {
      digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(number % 10)));
      number /= 10;
    } while (number != 0);
    return digits;
  };
  return to_text(value.numerator) + "/" + to_text(value.denominator);
}

std::string converted(std::string_view value, std::string_view from, std::string_view to) {
  return text(convert(decimal(value), unit(from), unit(to)));
}

std::strong_ordering compare(std::string_view a, std::string_view unit_a, std::string_view b,
                             std::string_view unit_b) {
  return compare_quantities(decimal(a), unit(unit_a), decimal(b), unit(unit_b));
}

Dimension dimension(std::int8_t time, std::int8_t mass, std::int8_t length,
                    std::int8_t international_unit) {
  Dimension result;
  result.exponents = {time, mass, length, international_unit};
  return result;
}

}  // namespace

TEST_CASE("Dimensions", "[units]") {
  CHECK(Dimension{}.is_dimensionless());
  CHECK_FALSE(Dimension::time().is_dimensionless());
  CHECK(Dimension::time() == dimension(1, 0, 0, 0));
  CHECK(Dimension::mass() == dimension(0, 1, 0, 0));
  CHECK(Dimension::length() == dimension(0, 0, 1, 0));
  CHECK(Dimension::volume() == dimension(0, 0, 3, 0));
  CHECK(Dimension::international_unit() == dimension(0, 0, 0, 1));
  CHECK(Dimension{}.name() == "dimensionless");
  CHECK(Dimension::time().name() == "duration");
  CHECK(Dimension::mass().name() == "mass");
  CHECK(Dimension::length().name() == "length");
  CHECK(Dimension::volume().name() == "volume");
  CHECK(Dimension::international_unit().name() == "international unit");
  CHECK(dimension(-1, 1, 0, 0).name() == "g/s");
  CHECK(dimension(-2, 1, 1, 0).name() == "g.m/s2");
  CHECK(dimension(0, 1, -3, 0).name() == "g/m3");
  CHECK(dimension(-1, 0, 0, 0).name() == "1/s");
  CHECK(dimension(0, 0, 2, 0).name() == "m2");
  CHECK(dimension(0, 0, -3, 1).name() == "[iU]/m3");
}

TEST_CASE("UCUM time codes have UCUM's definite durations", "[units]") {
  CHECK(factor("ms") == "1/1000");
  CHECK(factor("s") == "1/1");
  CHECK(factor("min") == "60/1");
  CHECK(factor("h") == "3600/1");
  CHECK(factor("d") == "86400/1");
  CHECK(factor("wk") == "604800/1");
  CHECK(factor("mo") == "2629800/1");
  CHECK(factor("a") == "31557600/1");
  for (const std::string_view code : {"ms", "s", "min", "h", "d", "wk", "mo", "a"}) {
    INFO(code);
    const Unit& time_unit = unit(code);
    CHECK(time_unit.dimension == Dimension::time());
    CHECK(time_unit.code == code);
    CHECK_FALSE(time_unit.is_calendar_word);
    CHECK(time_unit.singular.empty());
  }
}

TEST_CASE("Calendar words, singular and plural, match their UCUM codes", "[units]") {
  struct Word {
    std::string_view singular;
    std::string_view plural;
    std::string_view code;
  };
  for (const Word& word :
       {Word{"millisecond", "milliseconds", "ms"}, Word{"second", "seconds", "s"},
        Word{"minute", "minutes", "min"}, Word{"hour", "hours", "h"}, Word{"day", "days", "d"},
        Word{"week", "weeks", "wk"}, Word{"month", "months", "mo"}, Word{"year", "years", "a"}}) {
    INFO(word.singular);
    for (const std::string_view spelling : {word.singular, word.plural}) {
      const Unit& calendar = unit(spelling);
      CHECK(calendar.is_calendar_word);
      CHECK(calendar.code == word.plural);
      CHECK(calendar.singular == word.singular);
      CHECK(calendar.dimension == Dimension::time());
      CHECK(calendar.factor == unit(word.code).factor);
    }
  }
}

TEST_CASE("find_unit interns: one text, one pointer", "[units]") {
  CHECK(find_unit("mg") == find_unit("mg"));
  CHECK(find_unit("days") == find_unit("days"));
  CHECK(find_unit(std::string("mg/d")) == find_unit("mg/d"));
  // Different spellings are different units with the same meaning.
  const Unit& day = unit("day");
  const Unit& days = unit("days");
  CHECK(&day != &days);
  CHECK(commensurable(day, days));
  CHECK(day.factor == days.factor);
  CHECK(&unit("d") != &days);
  CHECK(unit("d").factor == days.factor);
}

TEST_CASE("find_unit is thread-safe", "[units]") {
  constexpr int kThreads = 8;
  std::vector<const Unit*> found(kThreads, nullptr);
  std::vector<std::thread> threads;
  for (int index = 0; index < kThreads; ++index) {
    threads.emplace_back([&found, index] {
      for (int repeat = 0; repeat < 200; ++repeat) {
        const Unit* result = find_unit("ug/dL/h");
        if (repeat == 0) found[index] = result;
        find_unit(std::to_string(repeat % 9 + 1).insert(0, "mm"));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  REQUIRE(found[0] != nullptr);
  for (const Unit* result : found) CHECK(result == found[0]);
}

TEST_CASE("Mass, length and volume codes with metric prefixes", "[units]") {
  CHECK(factor("g") == "1/1");
  CHECK(factor("kg") == "1000/1");
  CHECK(factor("mg") == "1/1000");
  CHECK(factor("ug") == "1/1000000");
  CHECK(factor("ng") == "1/1000000000");
  CHECK(factor("dg") == "1/10");
  CHECK(factor("cg") == "1/100");
  CHECK(factor("m") == "1/1");
  CHECK(factor("km") == "1000/1");
  CHECK(factor("cm") == "1/100");
  CHECK(factor("mm") == "1/1000");
  CHECK(factor("um") == "1/1000000");
  CHECK(factor("nm") == "1/1000000000");
  CHECK(factor("L") == "1/1000");
  CHECK(factor("l") == "1/1000");
  CHECK(factor("dL") == "1/10000");
  CHECK(factor("mL") == "1/1000000");
  CHECK(factor("uL") == "1/1000000000");
  CHECK(unit("kg").dimension == Dimension::mass());
  CHECK(unit("cm").dimension == Dimension::length());
  CHECK(unit("L").dimension == Dimension::volume());
  CHECK(unit("mL").dimension == Dimension::volume());
  CHECK(unit("mg").code == "mg");
  CHECK_FALSE(unit("mg").is_calendar_word);
}

TEST_CASE("Dimensionless and international units", "[units]") {
  CHECK(factor("%") == "1/100");
  CHECK(factor("1") == "1/1");
  CHECK(unit("%").dimension.is_dimensionless());
  CHECK(unit("1").dimension.is_dimensionless());
  CHECK(commensurable(unit("%"), unit("1")));
  CHECK(unit("[iU]").dimension == Dimension::international_unit());
  CHECK(unit("[IU]").dimension == Dimension::international_unit());
  CHECK(unit("[iU]").code == "[iU]");
  CHECK(unit("[IU]").code == "[IU]");
  CHECK(commensurable(unit("[iU]"), unit("[IU]")));
  CHECK(factor("m[iU]") == "1/1000");
  CHECK(unit("[iU]/L").dimension == dimension(0, 0, -3, 1));
  CHECK(factor("[iU]/L") == "1000/1");
}

TEST_CASE("Products, quotients and exponents", "[units]") {
  CHECK(unit("cm2").dimension == dimension(0, 0, 2, 0));
  CHECK(factor("cm2") == "1/10000");
  CHECK(unit("cm3").dimension == Dimension::volume());
  CHECK(factor("cm3") == "1/1000000");
  CHECK(unit("cm3").factor == unit("mL").factor);
  CHECK(unit("m-1").dimension == dimension(0, 0, -1, 0));
  CHECK(factor("cm-1") == "100/1");
  CHECK(factor("m+2") == "1/1");
  CHECK(unit("mg/d").dimension == dimension(-1, 1, 0, 0));
  CHECK(factor("mg/d") == "1/86400000");
  CHECK(unit("g/cm3").dimension == dimension(0, 1, -3, 0));
  CHECK(factor("g/cm3") == "1000000/1");
  CHECK(unit("mg/kg").dimension.is_dimensionless());
  CHECK(factor("mg/kg") == "1/1000000");
  CHECK(unit("mL/min").dimension == dimension(-1, 0, 3, 0));
  CHECK(factor("mL/min") == "1/60000000");
  CHECK(unit("kg.m/s2").dimension == dimension(-2, 1, 1, 0));
  CHECK(factor("kg.m/s2") == "1000/1");
  CHECK(unit("kg.m/s2").code == "kg.m/s2");
  // Division applies to the next component only: mg/kg/d = (mg/kg)/d.
  CHECK(unit("mg/kg/d").dimension == dimension(-1, 0, 0, 0));
  CHECK(factor("mg/kg/d") == "1/86400000000");
  // '.' and '/' have equal precedence, left to right: g/m.s = (g/m).s.
  CHECK(unit("g/m.s").dimension == dimension(1, 1, -1, 0));
  CHECK(factor("mg/m.h") == "18/5");
  // Parentheses group: mg/(kg.d) = mg/kg/d.
  CHECK(unit("mg/(kg.d)").dimension == dimension(-1, 0, 0, 0));
  CHECK(unit("mg/(kg.d)").factor == unit("mg/kg/d").factor);
  CHECK(factor("((mg))") == "1/1000");
  CHECK(factor("/(mL/min)") == "60000000/1");
  CHECK(factor("((((((((mg))))))))") == "1/1000");  // the deepest nesting accepted
  CHECK(find_unit("(((((((((mg)))))))))") == nullptr);
  CHECK(unit("/min").dimension == dimension(-1, 0, 0, 0));
  CHECK(factor("/min") == "1/60");
  CHECK(factor("mg.d/d") == "1/1000");
  CHECK(unit("mg.d/d").dimension == Dimension::mass());
  CHECK(factor("mo5") == "125780583524715469039680000000000/1");
  CHECK(factor("g/mo5") == "1/125780583524715469039680000000000");
}

TEST_CASE("Unknown or malformed units are rejected without crashing", "[units]") {
  for (const std::string_view text : {"",          " ",        "foo",    "mgg",
                                      "Mg",        "MG",       "cd",     "kd",
                                      "mmin",      "k%",       "k1",     "m^2",
                                      "m**2",      "m10",      "m-10",   "m99999999999999999999999",
                                      "m0",        "m-0",      "m+",     "m-",
                                      "-1",        "2",        "10",     "1mg",
                                      "mg/",       "/",        ".",      "./",
                                      "mg..d",     "mg./d",    "kg.",    ".kg",
                                      "//min",     "mg//d",    "(",      "mg)",
                                      "[iu]",      "[IU",      "iU",     "IU",
                                      "\xC2\xB5g", " mg",      "mg ",    "m g",
                                      "Days",      "DAY",      "dayss",  "day s",
                                      "mg/days",   "weeks.mg", "mo9",    "mo9.mo9",
                                      "/mo9",      "a9.a9.a9", "ng9/kg9"}) {
    INFO("unit: '" << text << "'");
    CHECK(find_unit(text) == nullptr);
  }
  for (const std::string_view text : {"()", "(mg", "mg()", "mg(kg)", "(mg)2", "(mg).", "mg/()",
                                      "((((((((((mg))))))))))", ")mg("}) {
    INFO("unit: '" << text << "'");
    CHECK(find_unit(text) == nullptr);
  }
  CHECK(find_unit(std::string(10'000, '(')) == nullptr);
  CHECK(find_unit(std::string(5'000, '(') + "mg" + std::string(5'000, ')')) == nullptr);
  CHECK(find_unit(std::string{'m', 'g', '\0'}) == nullptr);
  CHECK(find_unit(std::string(10'000, 'm')) == nullptr);
  // Exponents accumulate without overflowing the dimension.
  std::string many_meters = "m";
  for (int index = 0; index < 200; ++index) many_meters += ".m";
  CHECK(find_unit(many_meters) == nullptr);
  std::string garbage;
  for (int byte = 0; byte < 256; ++byte) garbage += static_cast<char>(byte);
  CHECK(find_unit(garbage) == nullptr);
  for (std::size_t start = 0; start < garbage.size(); ++start) {
    find_unit(std::string_view(garbage).substr(start, 3));
  }
}

TEST_CASE("convert scales exactly, rounding half away from zero", "[units]") {
  CHECK(converted("1500", "mg", "g") == "1.5");
  CHECK(converted("1", "g", "mg") == "1000.0");
  CHECK(converted("2.5", "kg", "g") == "2500.0");
  // 1 ng = 10^-9 g rounds to 0; 5 ng is exactly half of the last digit: away from zero.
  CHECK(converted("1", "ng", "g") == "0.0");
  CHECK(converted("5", "ng", "g") == "0.00000001");
  CHECK(converted("-5", "ng", "g") == "-0.00000001");
  CHECK(converted("1", "a", "d") == "365.25");
  CHECK(converted("1", "mo", "d") == "30.4375");
  CHECK(converted("1", "year", "days") == "365.25");
  CHECK(converted("3", "months", "days") == "91.3125");
  CHECK(converted("2", "weeks", "days") == "14.0");
  CHECK(converted("1", "d", "h") == "24.0");
  CHECK(converted("90", "min", "h") == "1.5");
  CHECK(converted("1", "h", "ms") == "3600000.0");
  CHECK(converted("1", "d", "wk") == "0.14285714");
  CHECK(converted("15", "%", "1") == "0.15");
  CHECK(converted("0.5", "1", "%") == "50.0");
  CHECK(converted("1", "L", "mL") == "1000.0");
  CHECK(converted("1", "cm3", "mL") == "1.0");
  CHECK(converted("1", "dL", "mL") == "100.0");
  CHECK(converted("1", "g/dL", "mg/mL") == "10.0");
  CHECK(converted("1", "mg/d", "ug/h") == "41.66666667");
  CHECK(converted("1", "[IU]", "[iU]") == "1.0");
  CHECK(converted("7", "mg", "mg") == "7.0");
  CHECK(converted("0", "kg", "ug") == "0.0");
  CHECK(converted("1", "mg", "d") == "null");
  CHECK(converted("1", "mg", "mL") == "null");
  CHECK(converted("1", "%", "mg") == "null");
  CHECK(converted("99999999999999999999", "kg", "mg") == "null");
  CHECK(converted("100000000000000", "kg", "mg") == "null");
  CHECK(converted("10000000000", "g", "mg") == "10000000000000.0");
}

TEST_CASE("compare_quantities is exact across units", "[units]") {
  using std::strong_ordering;
  // 13 weeks = 91 days < 3 months = 91.3125 days < 92 days.
  CHECK(compare("13", "weeks", "3", "months") == strong_ordering::less);
  CHECK(compare("13", "wk", "3", "mo") == strong_ordering::less);
  CHECK(compare("92", "days", "3", "months") == strong_ordering::greater);
  CHECK(compare("91", "days", "3", "months") == strong_ordering::less);
  CHECK(compare("91.3125", "days", "3", "months") == strong_ordering::equal);
  CHECK(compare("1", "a", "365.25", "d") == strong_ordering::equal);
  CHECK(compare("1", "year", "12", "months") == strong_ordering::equal);
  CHECK(compare("1", "a", "365", "d") == strong_ordering::greater);
  CHECK(compare("1", "week", "7", "day") == strong_ordering::equal);
  CHECK(compare("1000", "mg", "1", "g") == strong_ordering::equal);
  CHECK(compare("1001", "mg", "1", "g") == strong_ordering::greater);
  CHECK(compare("999.99999999", "mg", "1", "g") == strong_ordering::less);
  CHECK(compare("15", "%", "0.15", "1") == strong_ordering::equal);
  CHECK(compare("1", "mL", "1", "cm3") == strong_ordering::equal);
  CHECK(compare("-1", "g", "-999", "mg") == strong_ordering::less);
  CHECK(compare("0", "kg", "0", "ng") == strong_ordering::equal);
  // 1 ms = 0.0000166666... min: no rounding to 8 digits hides the difference.
  CHECK(compare("0.00001667", "min", "1", "ms") == strong_ordering::greater);
  CHECK(compare("0.00001666", "min", "1", "ms") == strong_ordering::less);
  CHECK(compare("0.00000001", "a", "0.00000001", "a") == strong_ordering::equal);
  CHECK(compare("0.00000001", "ng", "0.00000001", "kg") == strong_ordering::less);
  CHECK(compare("99999999999999999999.99999999", "kg", "99999999999999999999.99999999", "g") ==
        strong_ordering::greater);
}

TEST_CASE("finer_unit picks the smaller factor, the first on a tie", "[units]") {
  CHECK(&finer_unit(unit("mg"), unit("g")) == &unit("mg"));
  CHECK(&finer_unit(unit("g"), unit("mg")) == &unit("mg"));
  CHECK(&finer_unit(unit("weeks"), unit("days")) == &unit("days"));
  CHECK(&finer_unit(unit("months"), unit("weeks")) == &unit("weeks"));
  CHECK(&finer_unit(unit("a"), unit("mo")) == &unit("mo"));
  CHECK(&finer_unit(unit("day"), unit("days")) == &unit("day"));
  CHECK(&finer_unit(unit("days"), unit("day")) == &unit("days"));
  CHECK(&finer_unit(unit("d"), unit("days")) == &unit("d"));
  CHECK(&finer_unit(unit("%"), unit("1")) == &unit("%"));
}

}  // namespace rubric

namespace rubric {
namespace {

TEST_CASE("same_unit: one unit however written, annotations included", "[units]") {
  CHECK(same_unit(unit("mg/dL"), unit("mg/dl")));
  CHECK(same_unit(unit("wk"), unit("weeks")));
  CHECK(same_unit(unit("mL/min/{1.73_m2}"), unit("mL/min/{1.73_m2}")));
  CHECK_FALSE(same_unit(unit("{score}"), unit("1")));
  CHECK_FALSE(same_unit(unit("{score}"), unit("{points}")));
  CHECK_FALSE(same_unit(unit("mL/min/{1.73_m2}"), unit("mL/min")));
  CHECK_FALSE(same_unit(unit("%"), unit("mg/g")));  // 1/100 against 1/1000
  CHECK_FALSE(same_unit(unit("mmol/L"), unit("umol/L")));
  CHECK_FALSE(same_unit(unit("meq/L"), unit("mmol/L")));  // one factor, another unit
  CHECK_FALSE(same_unit(unit("g/kg"), unit("mg/g")));
}

TEST_CASE("suggest_unit: near misses of common clinical units", "[units]") {
  CHECK(suggest_unit("MMOL/L") == "mmol/L");
  CHECK(suggest_unit("mmhg") == "mm[Hg]");
  CHECK(suggest_unit("mmHg") == "mm[Hg]");
  CHECK(suggest_unit("cmH2O") == "cm[H2O]");
  CHECK(suggest_unit("IU") == "[iU]");
  CHECK(suggest_unit("mcg") == "ug");
  CHECK(suggest_unit("MG/DL") == "mg/dL");
  CHECK(suggest_unit("wekks") == "weeks");
  CHECK(suggest_unit("parsec").empty());
  CHECK(suggest_unit(std::string(50, 'x')).empty());
}

}  // namespace
}  // namespace rubric
