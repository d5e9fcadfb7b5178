#include "values/date_time.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "values/decimal.hpp"
#include "values/message_text.hpp"

namespace rubric {
namespace {

namespace chr = std::chrono;

constexpr int kMinYear = 1;
constexpr int kMaxYear = 9999;
constexpr int kMaxOffsetMinutes = 14 * 60;
constexpr std::size_t kFieldCount = 7;

constexpr std::int64_t kMillisecondsPerSecond = 1000;
constexpr std::int64_t kMillisecondsPerMinute = 60 * kMillisecondsPerSecond;
constexpr std::int64_t kMillisecondsPerHour = 60 * kMillisecondsPerMinute;
constexpr std::int64_t kMillisecondsPerDay = 24 * kMillisecondsPerHour;
// CQL's conversions of units below a month into months and years (see `add`).
constexpr std::int64_t kDaysPerMonth = 30;
constexpr std::int64_t kDaysPerYear = 365;

using Fields = std::array<int, kFieldCount>;

int index(TemporalPrecision precision) {
  return static_cast<int>(precision);
}

Fields to_array(const TemporalFields& f) {
  return {f.year, f.month, f.day, f.hour, f.minute, f.second, f.millisecond};
}

TemporalFields from_array(const Fields& a) {
  return {a[0], a[1], a[2], a[3], a[4], a[5], a[6]};
}

// The minimum of each field (year has none: it is always set).
constexpr Fields kFieldMinimum = {kMinYear, 1, 1, 0, 0, 0, 0};

unsigned last_day(int year, int month) {
  const chr::year_month_day_last last{
      chr::year{year}, chr::month_day_last{chr::month{static_cast<unsigned>(month)}}};
  return static_cast<unsigned>(last.day());
}

// The maximum of field `i` given the fields before it.
int field_maximum(const Fields& f, int i) {
  static constexpr Fields kMaximum = {kMaxYear, 12, 31, 23, 59, 59, 999};
  if (i == index(TemporalPrecision::day)) {
    return static_cast<int>(last_day(f[0], f[1]));
  }
  return kMaximum[static_cast<std::size_t>(i)];
}

// Milliseconds since 1970-01-01T00:00:00.000 of the fields read as one time line (no offset).
constexpr Int128 to_milliseconds(const Fields& f) {
  const chr::sys_days days{chr::year{f[0]} / chr::month{static_cast<unsigned>(f[1])} /
                           chr::day{static_cast<unsigned>(f[2])}};
  return Int128{days.time_since_epoch().count()} * kMillisecondsPerDay +
         Int128{f[3]} * kMillisecondsPerHour + Int128{f[4]} * kMillisecondsPerMinute +
         Int128{f[5]} * kMillisecondsPerSecond + f[6];
}

constexpr Int128 kFirstMillisecond = to_milliseconds({kMinYear, 1, 1, 0, 0, 0, 0});
constexpr Int128 kLastMillisecond = to_milliseconds({kMaxYear, 12, 31, 23, 59, 59, 999});

// The fields of a time-line point; nullopt outside years 1..9999.
std::optional<Fields> from_milliseconds(Int128 ms) {
  if (ms < kFirstMillisecond || ms > kLastMillisecond) {
    return std::nullopt;
  }
  Int128 days = ms / kMillisecondsPerDay;
  Int128 rest = ms % kMillisecondsPerDay;
  if (rest < 0) {
    rest += kMillisecondsPerDay;
    --days;
  }
  const chr::year_month_day date{chr::sys_days{chr::days{static_cast<std::int64_t>(days)}}};
  const auto in_day = static_cast<std::int64_t>(rest);
  return Fields{static_cast<int>(date.year()),
                static_cast<int>(static_cast<unsigned>(date.month())),
                static_cast<int>(static_cast<unsigned>(date.day())),
                static_cast<int>(in_day / kMillisecondsPerHour),
                static_cast<int>(in_day % kMillisecondsPerHour / kMillisecondsPerMinute),
                static_cast<int>(in_day % kMillisecondsPerMinute / kMillisecondsPerSecond),
                static_cast<int>(in_day % kMillisecondsPerSecond)};
}

// Fields finer than `precision` set to their minimum.
Fields cut(Fields f, TemporalPrecision precision) {
  for (int i = index(precision) + 1; i < static_cast<int>(kFieldCount); ++i) {
    f[static_cast<std::size_t>(i)] = kFieldMinimum[static_cast<std::size_t>(i)];
  }
  return f;
}

// A value on the evaluation's offset, as comparison and durations read it.
struct Normal {
  Fields fields{};
  TemporalPrecision precision = TemporalPrecision::year;
};

Normal normalise(const DateTime& value, int default_offset_minutes) {
  Normal normal{to_array(value.fields()), value.precision()};
  const int offset = value.offset_minutes().value_or(default_offset_minutes);
  if (value.precision() < TemporalPrecision::hour || offset == default_offset_minutes) {
    return normal;
  }
  const Int128 shifted = to_milliseconds(normal.fields) +
                         Int128{default_offset_minutes - offset} * kMillisecondsPerMinute;
  // Beyond the calendar after the shift (within 28 hours of its ends): keep the fields
  // as written, the only instant the value can mean in years 1..9999.
  if (const std::optional<Fields> fields = from_milliseconds(shifted)) {
    normal.fields = cut(*fields, value.precision());
  }
  return normal;
}

// CQL compares seconds and milliseconds as one precision (a decimal number of seconds), so
// `@2026-06-15T10:00:00` equals `@2026-06-15T10:00:00.000`.
TemporalPrecision comparable(TemporalPrecision precision) {
  return std::min(precision, TemporalPrecision::second);
}

std::optional<std::strong_ordering> compare_fields(const Fields& a, TemporalPrecision pa,
                                                   const Fields& b, TemporalPrecision pb) {
  const TemporalPrecision common = comparable(std::min(pa, pb));
  const int last =
      common == TemporalPrecision::second ? index(TemporalPrecision::millisecond) : index(common);
  for (int i = 0; i <= last; ++i) {
    const auto field = static_cast<std::size_t>(i);
    if (a[field] != b[field]) {
      return a[field] <=> b[field];
    }
  }
  if (comparable(pa) != comparable(pb)) {
    return std::nullopt;
  }
  return std::strong_ordering::equal;
}

// ---- Reading -----------------------------------------------------------------------------

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}
  [[nodiscard]] bool at_end() const { return position_ == text_.size(); }
  [[nodiscard]] bool peek(char c) const { return !at_end() && text_[position_] == c; }
  bool accept(char c) {
    if (!peek(c)) {
      return false;
    }
    ++position_;
    return true;
  }
  // Exactly `count` digits, or nullopt (nothing consumed).
  std::optional<int> digits(std::size_t count) {
    if (text_.size() - position_ < count) {
      return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = text_[position_ + i];
      if (c < '0' || c > '9') {
        return std::nullopt;
      }
      value = value * 10 + (c - '0');
    }
    position_ += count;
    return value;
  }
  // One to three digits of a fraction of a second, as milliseconds.
  std::optional<int> fraction() {
    int value = 0;
    std::size_t count = 0;
    while (!at_end() && text_[position_] >= '0' && text_[position_] <= '9') {
      if (count == 3) {
        return std::nullopt;
      }
      value = value * 10 + (text_[position_] - '0');
      ++position_;
      ++count;
    }
    if (count == 0) {
      return std::nullopt;
    }
    for (; count < 3; ++count) {
      value *= 10;
    }
    return value;
  }

 private:
  std::string_view text_;
  std::size_t position_ = 0;
};

std::string month_name(int month) {
  static constexpr std::array<std::string_view, 12> kNames = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  return std::string(kNames[static_cast<std::size_t>(month - 1)]);
}

struct Syntax {
  TemporalKind kind = TemporalKind::date;
  TemporalPrecision precision = TemporalPrecision::year;
  Fields fields = kFieldMinimum;
  std::optional<int> offset_hours;
  std::optional<int> offset_minutes;
  bool negative_offset = false;
};

// The literal's syntax, without range checks; nullopt when malformed.
std::optional<Syntax> read_syntax(std::string_view text) {
  Reader in(text);
  Syntax s;
  const auto field = [&s](TemporalPrecision p) -> int& {
    return s.fields[static_cast<std::size_t>(index(p))];
  };
  const std::optional<int> year = in.digits(4);
  if (!year) {
    return std::nullopt;
  }
  field(TemporalPrecision::year) = *year;
  if (in.accept('-')) {
    const std::optional<int> month = in.digits(2);
    if (!month) {
      return std::nullopt;
    }
    field(TemporalPrecision::month) = *month;
    s.precision = TemporalPrecision::month;
    if (in.accept('-')) {
      const std::optional<int> day = in.digits(2);
      if (!day) {
        return std::nullopt;
      }
      field(TemporalPrecision::day) = *day;
      s.precision = TemporalPrecision::day;
    }
  }
  if (!in.accept('T')) {
    return in.at_end() ? std::optional<Syntax>(s) : std::nullopt;
  }
  s.kind = TemporalKind::date_time;
  if (const std::optional<int> hour = in.digits(2)) {
    if (s.precision != TemporalPrecision::day) {
      return std::nullopt;
    }
    field(TemporalPrecision::hour) = *hour;
    s.precision = TemporalPrecision::hour;
    if (in.accept(':')) {
      const std::optional<int> minute = in.digits(2);
      if (!minute) {
        return std::nullopt;
      }
      field(TemporalPrecision::minute) = *minute;
      s.precision = TemporalPrecision::minute;
      if (in.accept(':')) {
        const std::optional<int> second = in.digits(2);
        if (!second) {
          return std::nullopt;
        }
        field(TemporalPrecision::second) = *second;
        s.precision = TemporalPrecision::second;
        if (in.accept('.')) {
          const std::optional<int> millisecond = in.fraction();
          if (!millisecond) {
            return std::nullopt;
          }
          field(TemporalPrecision::millisecond) = *millisecond;
          s.precision = TemporalPrecision::millisecond;
        }
      }
    }
  }
  if (in.accept('Z')) {
    s.offset_hours = 0;
    s.offset_minutes = 0;
  } else if (in.peek('+') || in.peek('-')) {
    s.negative_offset = in.peek('-');
    in.accept(s.negative_offset ? '-' : '+');
    s.offset_hours = in.digits(2);
    if (!s.offset_hours || !in.accept(':')) {
      return std::nullopt;
    }
    s.offset_minutes = in.digits(2);
    if (!s.offset_minutes) {
      return std::nullopt;
    }
  }
  return in.at_end() ? std::optional<Syntax>(s) : std::nullopt;
}

// Why the fields of a well-formed literal are not a date, or "" when they are.
std::string range_problem(const Syntax& s) {
  const Fields& f = s.fields;
  if (f[0] < kMinYear) {
    return "the year must be from 0001 to 9999";
  }
  if (s.precision >= TemporalPrecision::month && (f[1] < 1 || f[1] > 12)) {
    return "the month must be from 01 to 12";
  }
  if (s.precision >= TemporalPrecision::day) {
    const auto days = static_cast<int>(last_day(f[0], f[1]));
    if (f[2] < 1 || f[2] > days) {
      return month_name(f[1]) + " " + std::to_string(f[0]) + " has " + std::to_string(days) +
             " days";
    }
  }
  if (f[3] > 23) {
    return "the hour must be from 00 to 23";
  }
  if (f[4] > 59) {
    return "the minute must be from 00 to 59";
  }
  if (f[5] > 59) {
    return "the second must be from 00 to 59";
  }
  if (s.offset_minutes && *s.offset_minutes > 59) {
    return "the minutes of the offset must be from 00 to 59";
  }
  if (s.offset_hours && *s.offset_hours * 60 + *s.offset_minutes > kMaxOffsetMinutes) {
    return "the offset must be from -14:00 to +14:00";
  }
  return {};
}

void append_two_digits(std::string& out, int value) {
  out += static_cast<char>('0' + value / 10);
  out += static_cast<char>('0' + value % 10);
}

// ---- Arithmetic --------------------------------------------------------------------------

// The precision a unit moves (weeks move days).
TemporalPrecision unit_precision(CalendarUnit unit) {
  switch (unit) {
    case CalendarUnit::year: return TemporalPrecision::year;
    case CalendarUnit::month: return TemporalPrecision::month;
    case CalendarUnit::week:
    case CalendarUnit::day: return TemporalPrecision::day;
    case CalendarUnit::hour: return TemporalPrecision::hour;
    case CalendarUnit::minute: return TemporalPrecision::minute;
    case CalendarUnit::second: return TemporalPrecision::second;
    case CalendarUnit::millisecond: return TemporalPrecision::millisecond;
  }
  return TemporalPrecision::millisecond;
}

// Milliseconds in one unit of week or finer (1 for the coarser units, which have none).
std::int64_t unit_milliseconds(CalendarUnit unit) {
  switch (unit) {
    case CalendarUnit::week: return 7 * kMillisecondsPerDay;
    case CalendarUnit::day: return kMillisecondsPerDay;
    case CalendarUnit::hour: return kMillisecondsPerHour;
    case CalendarUnit::minute: return kMillisecondsPerMinute;
    case CalendarUnit::second: return kMillisecondsPerSecond;
    case CalendarUnit::year:
    case CalendarUnit::month:
    case CalendarUnit::millisecond: break;
  }
  return 1;
}

// The unit a precision counts in.
CalendarUnit precision_unit(TemporalPrecision precision) {
  switch (precision) {
    case TemporalPrecision::year: return CalendarUnit::year;
    case TemporalPrecision::month: return CalendarUnit::month;
    case TemporalPrecision::day: return CalendarUnit::day;
    case TemporalPrecision::hour: return CalendarUnit::hour;
    case TemporalPrecision::minute: return CalendarUnit::minute;
    case TemporalPrecision::second: return CalendarUnit::second;
    case TemporalPrecision::millisecond: break;
  }
  return CalendarUnit::millisecond;
}

// `amount` of `unit` in units of `precision` (coarser than the unit), truncated toward zero.
Int128 convert_down(Int128 amount, CalendarUnit unit, TemporalPrecision precision) {
  if (precision == TemporalPrecision::year && unit == CalendarUnit::month) {
    return amount / 12;
  }
  const Int128 ms = amount * unit_milliseconds(unit);
  switch (precision) {
    case TemporalPrecision::year: return ms / (Int128{kDaysPerYear} * kMillisecondsPerDay);
    case TemporalPrecision::month: return ms / (Int128{kDaysPerMonth} * kMillisecondsPerDay);
    default: return ms / unit_milliseconds(precision_unit(precision));
  }
}

// ---- Durations ---------------------------------------------------------------------------

// The fields of `normal` from its precision down to `limit` at their largest (or smallest:
// as stored); finer ones at their minimum.
Fields filled(const Normal& normal, TemporalPrecision limit, bool largest) {
  Fields f = normal.fields;
  if (!largest) {
    return f;
  }
  for (int i = index(normal.precision) + 1; i <= index(limit); ++i) {
    f[static_cast<std::size_t>(i)] = field_maximum(f, i);
  }
  return f;
}

// Whole `unit`s from `a` to `b`, both complete.
std::int64_t whole_periods(const Fields& a, const Fields& b, CalendarUnit unit) {
  if (unit == CalendarUnit::year || unit == CalendarUnit::month) {
    std::int64_t months = std::int64_t{b[0] - a[0]} * 12 + (b[1] - a[1]);
    const Fields rest_a = {0, 0, a[2], a[3], a[4], a[5], a[6]};
    const Fields rest_b = {0, 0, b[2], b[3], b[4], b[5], b[6]};
    if (months > 0 && rest_b < rest_a) {
      --months;
    }
    if (months < 0 && rest_b > rest_a) {
      ++months;
    }
    return unit == CalendarUnit::year ? months / 12 : months;
  }
  const Int128 span = to_milliseconds(b) - to_milliseconds(a);
  return static_cast<std::int64_t>(span / unit_milliseconds(unit));
}

UncertainCount periods_between(const Normal& a, const Normal& b, CalendarUnit unit,
                               TemporalPrecision limit) {
  return {whole_periods(filled(a, limit, true), filled(b, limit, false), unit),
          whole_periods(filled(a, limit, false), filled(b, limit, true), unit)};
}

}  // namespace

std::string_view precision_name(TemporalPrecision precision) {
  static constexpr std::array<std::string_view, kFieldCount> kNames = {
      "year", "month", "day", "hour", "minute", "second", "millisecond"};
  return kNames[static_cast<std::size_t>(index(precision))];
}

std::optional<DateTime> DateTime::make(TemporalKind kind, TemporalPrecision precision,
                                       const TemporalFields& fields,
                                       std::optional<int> offset_minutes) {
  if (kind == TemporalKind::date && (precision > TemporalPrecision::day || offset_minutes)) {
    return std::nullopt;
  }
  if (offset_minutes &&
      (*offset_minutes < -kMaxOffsetMinutes || *offset_minutes > kMaxOffsetMinutes)) {
    return std::nullopt;
  }
  const Fields f = cut(to_array(fields), precision);
  if (f[0] < kMinYear || f[0] > kMaxYear || f[1] < 1 || f[1] > 12 || f[2] < 1 ||
      f[2] > static_cast<int>(last_day(f[0], f[1])) || f[3] < 0 || f[3] > 23 || f[4] < 0 ||
      f[4] > 59 || f[5] < 0 || f[5] > 59 || f[6] < 0 || f[6] > 999) {
    return std::nullopt;
  }
  DateTime value;
  value.year_ = static_cast<std::int16_t>(f[0]);
  value.month_ = static_cast<std::uint8_t>(f[1]);
  value.day_ = static_cast<std::uint8_t>(f[2]);
  value.hour_ = static_cast<std::uint8_t>(f[3]);
  value.minute_ = static_cast<std::uint8_t>(f[4]);
  value.second_ = static_cast<std::uint8_t>(f[5]);
  value.millisecond_ = static_cast<std::uint16_t>(f[6]);
  value.kind_ = kind;
  value.precision_ = precision;
  value.has_offset_ = offset_minutes.has_value();
  value.offset_minutes_ = static_cast<std::int16_t>(offset_minutes.value_or(0));
  return value;
}

DateTimeReading DateTime::parse(std::string_view text) {
  const std::string_view body = text.starts_with('@') ? text.substr(1) : text;
  const std::optional<Syntax> syntax = read_syntax(body);
  if (!syntax) {
    return {std::nullopt,
            in_backticks(shown(text)) +
                " is not a date or a date and time; write `YYYY-MM-DD` or "
                "`YYYY-MM-DDThh:mm:ss`, optionally followed by `Z` or an offset such as "
                "`+01:00`"};
  }
  const std::string problem = range_problem(*syntax);
  if (!problem.empty()) {
    const std::string_view what = syntax->kind == TemporalKind::date ? "a date" : "a date and time";
    return {std::nullopt,
            in_backticks(shown(text)) + " is not " + std::string(what) + ": " + problem};
  }
  std::optional<int> offset;
  if (syntax->offset_hours) {
    const int minutes = *syntax->offset_hours * 60 + *syntax->offset_minutes;
    offset = syntax->negative_offset ? -minutes : minutes;
  }
  return {make(syntax->kind, syntax->precision, from_array(syntax->fields), offset), {}};
}

TemporalFields DateTime::fields() const {
  return {year_, month_, day_, hour_, minute_, second_, millisecond_};
}

std::string DateTime::to_iso() const {
  std::string out;
  append_two_digits(out, year_ / 100);
  append_two_digits(out, year_ % 100);
  if (precision_ >= TemporalPrecision::month) {
    out += '-';
    append_two_digits(out, month_);
  }
  if (precision_ >= TemporalPrecision::day) {
    out += '-';
    append_two_digits(out, day_);
  }
  if (kind_ == TemporalKind::date) {
    return out;
  }
  out += 'T';
  if (precision_ >= TemporalPrecision::hour) {
    append_two_digits(out, hour_);
  }
  if (precision_ >= TemporalPrecision::minute) {
    out += ':';
    append_two_digits(out, minute_);
  }
  if (precision_ >= TemporalPrecision::second) {
    out += ':';
    append_two_digits(out, second_);
  }
  if (precision_ >= TemporalPrecision::millisecond) {
    out += '.';
    out += static_cast<char>('0' + millisecond_ / 100);
    append_two_digits(out, millisecond_ % 100);
  }
  if (has_offset_) {
    if (offset_minutes_ == 0) {
      out += 'Z';
    } else {
      out += offset_minutes_ < 0 ? '-' : '+';
      const int magnitude = offset_minutes_ < 0 ? -offset_minutes_ : offset_minutes_;
      append_two_digits(out, magnitude / 60);
      out += ':';
      append_two_digits(out, magnitude % 60);
    }
  }
  return out;
}

std::string DateTime::to_literal() const {
  return "@" + to_iso();
}

std::optional<std::strong_ordering> compare(const DateTime& a, const DateTime& b,
                                            int default_offset_minutes) {
  const Normal na = normalise(a, default_offset_minutes);
  const Normal nb = normalise(b, default_offset_minutes);
  return compare_fields(na.fields, na.precision, nb.fields, nb.precision);
}

std::optional<std::strong_ordering> compare_at(const DateTime& a, const DateTime& b,
                                               TemporalPrecision precision,
                                               int default_offset_minutes) {
  const Normal na = normalise(a, default_offset_minutes);
  const Normal nb = normalise(b, default_offset_minutes);
  return compare_fields(na.fields, std::min(na.precision, precision), nb.fields,
                        std::min(nb.precision, precision));
}

namespace {
template <typename Test>
std::optional<bool> ordered(const DateTime& a, const DateTime& b, int offset, Test test) {
  const std::optional<std::strong_ordering> order = compare(a, b, offset);
  if (!order) {
    return std::nullopt;
  }
  return test(*order);
}
}  // namespace

std::optional<bool> equal(const DateTime& a, const DateTime& b, int default_offset_minutes) {
  return ordered(a, b, default_offset_minutes, [](std::strong_ordering o) { return o == 0; });
}
std::optional<bool> not_equal(const DateTime& a, const DateTime& b, int default_offset_minutes) {
  return ordered(a, b, default_offset_minutes, [](std::strong_ordering o) { return o != 0; });
}
std::optional<bool> less(const DateTime& a, const DateTime& b, int default_offset_minutes) {
  return ordered(a, b, default_offset_minutes, [](std::strong_ordering o) { return o < 0; });
}
std::optional<bool> less_or_equal(const DateTime& a, const DateTime& b,
                                  int default_offset_minutes) {
  return ordered(a, b, default_offset_minutes, [](std::strong_ordering o) { return o <= 0; });
}
std::optional<bool> greater(const DateTime& a, const DateTime& b, int default_offset_minutes) {
  return ordered(a, b, default_offset_minutes, [](std::strong_ordering o) { return o > 0; });
}
std::optional<bool> greater_or_equal(const DateTime& a, const DateTime& b,
                                     int default_offset_minutes) {
  return ordered(a, b, default_offset_minutes, [](std::strong_ordering o) { return o >= 0; });
}

bool equivalent(const DateTime& a, const DateTime& b, int default_offset_minutes) {
  return compare(a, b, default_offset_minutes) == std::strong_ordering::equal;
}

std::optional<DateTime> add(const DateTime& value, CalendarDuration duration) {
  Int128 amount = duration.amount;
  CalendarUnit unit = duration.unit;
  if (unit_precision(unit) > value.precision()) {
    amount = convert_down(amount, unit, value.precision());
    unit = precision_unit(value.precision());
  }
  Fields f = to_array(value.fields());
  if (unit == CalendarUnit::year || unit == CalendarUnit::month) {
    const Int128 months = unit == CalendarUnit::year ? amount * 12 : amount;
    const Int128 total = Int128{f[0]} * 12 + (f[1] - 1) + months;
    if (total < Int128{kMinYear} * 12 || total >= Int128{kMaxYear + 1} * 12) {
      return std::nullopt;
    }
    f[0] = static_cast<int>(total / 12);
    f[1] = static_cast<int>(total % 12) + 1;
    f[2] = std::min(f[2], static_cast<int>(last_day(f[0], f[1])));
  } else {
    const std::int64_t per_unit = unit_milliseconds(unit);
    // Beyond the calendar whatever the value: avoids overflowing Int128 below.
    if (amount > kLastMillisecond || amount < -kLastMillisecond) {
      return std::nullopt;
    }
    const std::optional<Fields> moved = from_milliseconds(to_milliseconds(f) + amount * per_unit);
    if (!moved) {
      return std::nullopt;
    }
    f = *moved;
  }
  return DateTime::make(value.kind(), value.precision(), from_array(f), value.offset_minutes());
}

std::optional<DateTime> subtract(const DateTime& value, CalendarDuration duration) {
  // Negating INT64_MIN would overflow; no calendar holds that many of any unit.
  if (duration.amount == std::numeric_limits<std::int64_t>::min()) {
    return std::nullopt;
  }
  return add(value, {-duration.amount, duration.unit});
}

UncertainCount duration_between(const DateTime& a, const DateTime& b, CalendarUnit unit,
                                int default_offset_minutes) {
  const TemporalPrecision limit = std::max(unit_precision(unit), TemporalPrecision::day);
  return periods_between(normalise(a, default_offset_minutes), normalise(b, default_offset_minutes),
                         unit, limit);
}

UncertainCount difference_between(const DateTime& a, const DateTime& b, CalendarUnit unit,
                                  int default_offset_minutes) {
  const TemporalPrecision limit = unit_precision(unit);
  Normal na = normalise(a, default_offset_minutes);
  Normal nb = normalise(b, default_offset_minutes);
  for (Normal* n : {&na, &nb}) {
    n->precision = std::min(n->precision, limit);
    n->fields = cut(n->fields, n->precision);
  }
  return periods_between(na, nb, unit, limit);
}

}  // namespace rubric
